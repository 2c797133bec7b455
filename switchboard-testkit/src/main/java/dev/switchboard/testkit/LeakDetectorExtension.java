package dev.switchboard.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a buffer that was never released.
 *
 * <p>Netty creates the buffer leak detector once, from the then-installed
 * {@link ResourceLeakDetectorFactory}, when {@code AbstractByteBuf} is initialised, i.e. at the first
 * buffer of the JVM. A hook installed later sees nothing. So the hook is installed by
 * {@link LeakHookInstaller}, a JUnit {@code LauncherSessionListener} that runs before any test class
 * loads, and this extension is registered in every test class automatically (the test kit lists it in
 * {@code META-INF/services}; the parent POM turns on {@code junit.jupiter.extensions.autodetection}).
 * A module gets both by having the test kit on its test classpath; no annotation is needed.
 *
 * <p>Before each class it checks that the detector Netty actually uses is the recording one and at
 * {@code PARANOID} (every buffer tracked), and fails the class if not, so the check cannot be off
 * without anyone knowing. After the class it forces collection and a few tracked allocations (Netty
 * only reports a leak when it next allocates) and fails on any report.
 *
 * <p>The factory is process-wide: a leak from one class can surface in the next one that runs in the
 * same JVM; the report names the allocation site either way. Reports are never discarded unread.
 */
public final class LeakDetectorExtension implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
        verifyActive();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> found = collect();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " ByteBuf leak(s) reported during "
                    + context.getDisplayName() + ":\n" + String.join("\n---\n", found));
        }
    }

    /**
     * Installs the recording detector factory; idempotent. Effective only if it runs before Netty's
     * first buffer, which {@link LeakHookInstaller} guarantees under the JUnit launcher.
     */
    public static synchronized void install() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        if (installed) {
            return;
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        installed = true;
    }

    /**
     * Throws unless the detector every Netty buffer reports to records into this class, at
     * {@code PARANOID}. Fails when something initialised Netty's buffers before {@link #install()}.
     */
    public static void verifyActive() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("leak detection level is " + ResourceLeakDetector.getLevel()
                    + ", not PARANOID: something lowered it after the hook was installed");
        }
        Object detector = bufferLeakDetector();
        if (!(detector instanceof Recording)) {
            throw new IllegalStateException("Netty's buffer leak detector is " + detector.getClass().getName()
                    + ", not the recording one: Netty's buffers were initialised before the leak hook was"
                    + " installed, so no leak would be seen. Is switchboard-testkit on the test classpath"
                    + " (its LauncherSessionListener installs the hook before any test runs)?");
        }
    }

    private static Object bufferLeakDetector() {
        try {
            Field f = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            f.setAccessible(true);
            return f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read Netty's buffer leak detector (Netty's internals changed?)", e);
        }
    }

    /** Forces the detector to look for unreleased buffers and returns (and forgets) every report so far. */
    public static List<String> collect() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            System.runFinalization();
            // The detector polls its reference queue on allocation; allocate tracked buffers to drain it.
            for (int i = 0; i < 64; i++) {
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
                ByteBuf heap = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
                heap.release();
            }
        }
        synchronized (LEAKS) {
            List<String> copy = List.copyOf(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }

    /** Marks the detectors made by {@link RecordingFactory}. */
    private interface Recording {}

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval, maxActive);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> implements Recording {
        @SuppressWarnings("deprecation")
        RecordingDetector(Class<T> resource, int samplingInterval, long maxActive) {
            super(resource, samplingInterval, maxActive);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            synchronized (LEAKS) {
                LEAKS.add(resourceType + " leak:" + records);
            }
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            synchronized (LEAKS) {
                LEAKS.add(resourceType + " leak (untraced)");
            }
            super.reportUntracedLeak(resourceType);
        }
    }
}
