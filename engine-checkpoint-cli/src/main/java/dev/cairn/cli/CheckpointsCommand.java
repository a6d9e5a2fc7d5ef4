package dev.cairn.cli;

import picocli.CommandLine.Command;

/**
 * {@code cairn checkpoints}: offline operator commands on the checkpoints in the configured
 * storage (no cluster needed). Each subcommand takes {@code --config FILE} and never prints a
 * secret of the storage configuration. Exit statuses, for every subcommand: 0 done (or nothing to
 * do), 1 something was bad, absent or failed (each subcommand says which), 2 a usage or
 * configuration problem.
 *
 * <p>Savepoints of pipeline {@code P} are stored as pipeline {@code P.savepoints}; they are shown as
 * pipeline {@code P} with type {@code SAVEPOINT}, and pruning never touches them.
 */
@Command(
        name = "checkpoints",
        mixinStandardHelpOptions = true,
        description = {
            "The stored checkpoints (offline), and the statistics of running jobs.",
            "List, show, verify, prune, delete and copy what is in storage; stats --cluster for running jobs."
        },
        subcommands = {
            CheckpointsList.class,
            CheckpointsShow.class,
            CheckpointsVerify.class,
            CheckpointsPrune.class,
            CheckpointsDelete.class,
            CheckpointsCopy.class,
            StatsCommand.class
        })
final class CheckpointsCommand {}
