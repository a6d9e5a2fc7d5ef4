package dev.cairn.checkpoint.storage.api;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A factory from a class loader of its own (a plugin folder), and the storages it creates: each
 * call runs with that class loader as the thread's context class loader, and a {@link
 * LinkageError} (a class missing from the plugin's jars) is reported as an exception that names
 * it, not thrown as an error. See {@link CheckpointStorageFactories}.
 */
final class IsolatedFactory implements CheckpointStorageFactory {
    private final CheckpointStorageFactory factory;
    private final ClassLoader loader;
    private final String identifier;

    IsolatedFactory(CheckpointStorageFactory factory, ClassLoader loader) {
        this.factory = factory;
        this.loader = loader;
        this.identifier = factory.factoryIdentifier();
    }

    @Override
    public String factoryIdentifier() {
        return identifier;
    }

    @Override
    public List<ConfigProblem> validate(Map<String, String> pluginConfig) {
        // A LinkageError goes to the caller as it is: validate has no exception of its own to say
        // it with, and the engine reports it against the configured type.
        ClassLoader previous = enter();
        try {
            return factory.validate(pluginConfig);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Override
    public CheckpointStorage create(Map<String, String> pluginConfig) throws CheckpointStorageException {
        ClassLoader previous = enter();
        try {
            return new IsolatedStorage(factory.create(pluginConfig));
        } catch (LinkageError e) {
            throw new CheckpointStorageException(cannotRun(e), e);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Override
    public String toString() {
        return factory.toString();
    }

    private ClassLoader enter() {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        return previous;
    }

    private String cannotRun(LinkageError e) {
        String from = loader.getName() == null ? "its class loader" : loader.getName();
        return "checkpoint storage '" + identifier + "' (" + from + ") cannot run: "
                + CheckpointStorageFactories.describe(e)
                + (e instanceof NoClassDefFoundError
                        ? "; a class it needs is missing: is a jar missing from the plugin's folder?"
                        : "; its jars do not fit together or with this version of the storage API");
    }

    private interface Call<T> {
        T run() throws CheckpointStorageException;
    }

    private final class IsolatedStorage extends ForwardingCheckpointStorage {
        IsolatedStorage(CheckpointStorage delegate) {
            super(delegate);
        }

        private <T> T call(Call<T> call) throws CheckpointStorageException {
            ClassLoader previous = enter();
            try {
                return call.run();
            } catch (LinkageError e) {
                throw new CheckpointStorageException(cannotRun(e), e);
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
        }

        @Override
        public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
            call(() -> {
                delegate().store(pipeline, id, data);
                return null;
            });
        }

        @Override
        public Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
            return call(() -> delegate().load(pipeline, id));
        }

        @Override
        public List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException {
            return call(() -> delegate().list(pipeline));
        }

        @Override
        public List<PipelineKey> pipelines(JobId job) throws CheckpointStorageException {
            return call(() -> delegate().pipelines(job));
        }

        @Override
        public List<JobId> jobs() throws CheckpointStorageException {
            return call(() -> delegate().jobs());
        }

        @Override
        public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
            call(() -> {
                delegate().delete(pipeline, id);
                return null;
            });
        }

        @Override
        public void deleteJob(JobId job) throws CheckpointStorageException {
            call(() -> {
                delegate().deleteJob(job);
                return null;
            });
        }

        @Override
        public void close() {
            ClassLoader previous = enter();
            try {
                delegate().close();
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
        }

        @Override
        public String toString() {
            return delegate().toString();
        }
    }
}
