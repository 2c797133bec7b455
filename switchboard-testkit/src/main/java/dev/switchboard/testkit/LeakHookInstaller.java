package dev.switchboard.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs the recording leak detector when the JUnit launcher session opens, before test classes are
 * discovered or run, so that Netty's buffer leak detector (created once, at the first buffer) is the
 * recording one whatever test class touches Netty first. Registered in {@code META-INF/services}.
 */
public final class LeakHookInstaller implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        LeakDetectorExtension.install();
    }
}
