package dev.cairn.cli;

import picocli.CommandLine.Command;

@Command(
        name = "bench",
        description = "Benchmarks, each next to a raw baseline measured in the same run.",
        subcommands = {StorageBench.class, CheckpointBench.class})
final class BenchCommand {}
