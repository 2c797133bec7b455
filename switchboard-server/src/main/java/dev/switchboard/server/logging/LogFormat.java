package dev.switchboard.server.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.switchboard.server.config.ConfigProblem;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * {@code switchboard.log.format}: how the server's log lines look on standard output. {@link #TEXT} is the
 * pattern of {@code logback.xml}; {@link #JSON} swaps the encoder of the console appender for logback's
 * {@link JsonEncoder}, for log collectors: one object per line with {@code timestamp} (epoch ms),
 * {@code level}, {@code threadName}, {@code loggerName}, {@code mdc}, {@code formattedMessage} (the message
 * with its arguments filled in) and {@code throwable} (null, or the exception with its stack).
 */
public enum LogFormat {
    TEXT, JSON;

    public static LogFormat read(Config config) throws ConfigProblem {
        String path = "switchboard.log.format";
        try {
            String value = config.getString(path);
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new ConfigProblem(path + ": expected text or json, found \"" + value + "\"");
            };
        } catch (ConfigException e) {
            throw new ConfigProblem(path + ": expected text or json (" + e.getMessage() + ")");
        }
    }

    /**
     * Makes this the format of every console appender of the root logger. Called once, after the
     * configuration is read and before the server starts; lines logged before it (none, normally) keep the
     * text format. Does nothing for {@link #TEXT} or when logback is not the SLF4J binding.
     */
    public void apply() {
        if (this == TEXT || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) {
                JsonEncoder encoder = new JsonEncoder();
                encoder.setContext(context);
                // The filled-in message only: a collector indexes the text a person reads, not the
                // template and its arguments apart; the context and counters add nothing per line.
                encoder.setWithFormattedMessage(true);
                encoder.setWithMessage(false);
                encoder.setWithArguments(false);
                encoder.setWithContext(false);
                encoder.setWithSequenceNumber(false);
                encoder.setWithNanoseconds(false);
                encoder.start();
                out.stop();
                out.setEncoder(encoder);
                out.start();
            }
        }
    }
}
