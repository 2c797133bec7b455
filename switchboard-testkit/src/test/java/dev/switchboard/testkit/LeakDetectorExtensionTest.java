package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The leak hook is live in this JVM (installed before any buffer existed), sees a buffer leaked on
 * purpose, and fails the class that leaked it without that class asking for the check.
 */
class LeakDetectorExtensionTest {

    /** True only while the nested launcher below runs {@link LeakingTests}. */
    private static volatile boolean nestedRun;

    static boolean inNestedRun() {
        return nestedRun;
    }

    @Test
    void theDetectorNettyUsesIsTheRecordingOne() {
        LeakDetectorExtension.verifyActive();
    }

    @Test
    void aBufferLeakedOnPurposeIsReported() {
        leakOne();
        List<String> leaks = LeakDetectorExtension.collect();
        assertThat(leaks).anySatisfy(report -> assertThat(report).contains("leakOne"));
    }

    @Test
    void aTestClassThatLeaksFailsWithoutAnyAnnotation() {
        List<String> failures = new ArrayList<>();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(LeakingTests.class))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .build();
        Launcher launcher = LauncherFactory.create();
        nestedRun = true;
        try {
            launcher.execute(request, new TestExecutionListener() {
                @Override
                public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        failures.add(id.getDisplayName() + ": " + result.getThrowable().map(Throwable::getMessage).orElse(""));
                    }
                }
            });
        } finally {
            nestedRun = false;
        }
        assertThat(failures).singleElement().satisfies(f -> assertThat(f)
                .contains("LeakingTests").contains("ByteBuf leak").contains("leakedByTheFixture"));
    }

    private static void leakOne() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(32);
        buf.writeInt(42);
        // dropped without release()
    }

    /**
     * Run only through the nested launcher above (disabled anywhere else, e.g. when Surefire is given
     * a -Dtest pattern and picks up nested classes): its single test passes, but it leaks a buffer, so
     * its class must fail.
     */
    @EnabledIf("dev.switchboard.testkit.LeakDetectorExtensionTest#inNestedRun")
    static class LeakingTests {
        @Test
        void leaks() {
            leakedByTheFixture();
        }

        private static void leakedByTheFixture() {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(32);
            buf.writeLong(7);
        }
    }
}
