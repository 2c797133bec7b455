package dev.switchboard.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The server's data directory, held with an exclusive lock file ({@code switchboard.lock}) so that two
 * servers never share one. Opening it proves the directory exists (or could be created) and is
 * writable; every failure is a {@link StartupProblem} with one line saying what is wrong.
 */
final class DataDirectory implements AutoCloseable {

    static final String LOCK_FILE = "switchboard.lock";

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectory(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirectory open(Path path) throws StartupProblem {
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new StartupProblem("data directory " + path + ": exists but is not a directory");
        }
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new StartupProblem("data directory " + path + ": cannot create it (" + reason(e) + ")");
        }
        if (!Files.isReadable(path) || !Files.isWritable(path) || !Files.isExecutable(path)) {
            throw new StartupProblem("data directory " + path + ": not readable and writable by this user");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path.resolve(LOCK_FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StartupProblem("data directory " + path + ": cannot write " + LOCK_FILE + " (" + reason(e) + ")");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new StartupProblem("data directory " + path + ": in use by another Switchboard server");
        }
        return new DataDirectory(path, channel, lock);
    }

    Path path() {
        return path;
    }

    boolean held() {
        return lock.isValid();
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // The channel close below releases it anyway.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to do: the process is letting go of the directory.
        }
    }

    static String reason(IOException e) {
        String name = e.getClass().getSimpleName().replace("Exception", "");
        return e.getMessage() == null ? name : name + ": " + e.getMessage();
    }
}
