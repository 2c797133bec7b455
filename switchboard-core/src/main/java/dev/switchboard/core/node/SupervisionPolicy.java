package dev.switchboard.core.node;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a component's supervisor does when it fails. Immutable; built by {@link #builder()} or the
 * two presets.
 *
 * <p>A failure whose class is one of {@link Builder#stopOn stopOn} (by default the usual programming
 * errors: {@link NullPointerException}, {@link IllegalArgumentException}, {@link IllegalStateException},
 * {@link ClassCastException}, {@link IndexOutOfBoundsException}, {@link UnsupportedOperationException})
 * stops the component and reports it FAILED: restarting code that is wrong only repeats the error.
 * Any other failure (typically an {@link java.io.IOException} from the outside world) restarts it
 * after a backoff that doubles from {@code minBackoff} to {@code maxBackoff} (with {@code randomFactor}
 * jitter), up to {@code maxRestarts} restarts; past that it is FAILED. The count resets after the
 * component has run {@code resetAfter} without failing.
 */
public final class SupervisionPolicy {

    private static final List<Class<? extends Throwable>> PROGRAMMING_ERRORS = List.of(
            NullPointerException.class, IllegalArgumentException.class, IllegalStateException.class,
            ClassCastException.class, IndexOutOfBoundsException.class, UnsupportedOperationException.class);

    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final double randomFactor;
    private final int maxRestarts;
    private final Duration resetAfter;
    private final List<Class<? extends Throwable>> stopOn;

    private SupervisionPolicy(Builder b) {
        this.minBackoff = b.minBackoff;
        this.maxBackoff = b.maxBackoff;
        this.randomFactor = b.randomFactor;
        this.maxRestarts = b.maxRestarts;
        this.resetAfter = b.resetAfter;
        this.stopOn = List.copyOf(b.stopOn);
    }

    /**
     * For components that talk to the outside: restart after 200 ms doubling to 30 s (20 % jitter), at
     * most 10 times before it is reported FAILED; the count resets after 60 s without failure.
     */
    public static SupervisionPolicy restartWithBackoff() {
        return builder().build();
    }

    /** For components with no outside to recover from: any failure stops them and reports FAILED. */
    public static SupervisionPolicy stopOnFailure() {
        return builder().maxRestarts(0).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration minBackoff() {
        return minBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public int maxRestarts() {
        return maxRestarts;
    }

    /** Jitter added to each backoff, 0..1. */
    public double randomFactor() {
        return randomFactor;
    }

    /** Running this long without failure resets the restart count and backoff. */
    public Duration resetAfter() {
        return resetAfter;
    }

    /** Whether {@code failure} (or, for a wrapper, its cause) stops the component for good. */
    public boolean isFatal(Throwable failure) {
        if (maxRestarts == 0) {
            return true;
        }
        for (Class<? extends Throwable> c : stopOn) {
            if (c.isInstance(failure)) {
                return true;
            }
        }
        return false;
    }

    /** Validates each option as it is set; {@link #build()} leaves the builder unchanged. */
    public static final class Builder {
        private Duration minBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private double randomFactor = 0.2;
        private int maxRestarts = 10;
        private Duration resetAfter = Duration.ofSeconds(60);
        private List<Class<? extends Throwable>> stopOn = PROGRAMMING_ERRORS;

        private Builder() {}

        /** First backoff; default 200 ms. */
        public Builder backoff(Duration min, Duration max) {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.isNegative() || min.isZero()) {
                throw new IllegalArgumentException("minimum backoff must be positive, was " + min);
            }
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("maximum backoff " + max + " is below minimum " + min);
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /** Jitter added to each backoff, 0..1; default 0.2. */
        public Builder randomFactor(double randomFactor) {
            if (!(randomFactor >= 0 && randomFactor <= 1)) {
                throw new IllegalArgumentException("random factor must be within 0..1, was " + randomFactor);
            }
            this.randomFactor = randomFactor;
            return this;
        }

        /** Restarts before the component is FAILED; 0 means never restart; default 10. */
        public Builder maxRestarts(int maxRestarts) {
            if (maxRestarts < 0) {
                throw new IllegalArgumentException("max restarts must be >= 0, was " + maxRestarts);
            }
            this.maxRestarts = maxRestarts;
            return this;
        }

        /** Running this long without failure resets the restart count and backoff; default 60 s. */
        public Builder resetAfter(Duration resetAfter) {
            Objects.requireNonNull(resetAfter, "resetAfter");
            if (resetAfter.isNegative() || resetAfter.isZero()) {
                throw new IllegalArgumentException("reset-after must be positive, was " + resetAfter);
            }
            this.resetAfter = resetAfter;
            return this;
        }

        /** Failure classes that stop the component for good (replaces the default programming errors). */
        @SafeVarargs
        public final Builder stopOn(Class<? extends Throwable>... classes) {
            for (Class<? extends Throwable> c : classes) {
                Objects.requireNonNull(c, "stopOn class");
            }
            this.stopOn = List.of(classes);
            return this;
        }

        public SupervisionPolicy build() {
            return new SupervisionPolicy(this);
        }
    }
}
