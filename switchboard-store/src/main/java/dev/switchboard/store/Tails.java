package dev.switchboard.store;

import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import dev.switchboard.core.spi.StreamStore.Tail;
import dev.switchboard.core.spi.StreamStore.TailListener;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live subscriptions to streams ({@code StreamStore.subscribe}).
 *
 * <p>A subscription goes through two states. <em>Catching up</em>: it reads what is already stored
 * after its position, one page at a time (a page is asked for only when the listener has taken the
 * previous one, so catching up never holds more than {@code maxPending}), while appends committed
 * meanwhile wait in a second buffer, also bounded by {@code maxPending}. When a page comes back short
 * (the stream's end at that read's snapshot), the waiting appends follow and it is <em>live</em>:
 * the writer thread hands it each append once its batch is committed. Positions at or below the last
 * one handed on are skipped, so the overlap of the two phases is delivered once. It is registered
 * before its first read: an append is either in that read's snapshot or handed to it live.
 *
 * <p>Bound: more than {@code maxPending} messages waiting ends it with {@code LAGGED}; the listener is
 * told from where to resume.
 *
 * <p>Threading: {@link #onAppended} on the writer thread, page reads on a reader thread, the listener on
 * the subscription's executor, one call at a time ({@code draining}); state under the subscription's
 * monitor, never held while calling the listener. Payloads handed to listeners of live appends are the
 * appender's arrays, shared by every listener: listeners must not modify them.
 */
final class Tails {

    private static final Logger log = LoggerFactory.getLogger(Tails.class);

    private final Map<String, List<Subscription>> byStream = new ConcurrentHashMap<>();
    /** Reads a page: (stream, from, max) on a reader thread. */
    private final PageReader reader;
    private final int maxPage;
    /** Subscriptions ended because their listener fell behind; read without locking. */
    final java.util.concurrent.atomic.LongAdder lagged = new java.util.concurrent.atomic.LongAdder();

    interface PageReader {
        CompletionStage<ReadResult> read(String stream, long from, int max);
    }

    Tails(PageReader reader, int maxPage) {
        this.reader = reader;
        this.maxPage = maxPage;
    }

    /** On the writer thread, for each append: whether anyone listens to the stream (skips the work if not). */
    boolean has(String stream) {
        return byStream.containsKey(stream);
    }

    Tail subscribe(String stream, long after, int maxPending, Executor executor, TailListener listener) {
        Subscription s = new Subscription(stream, after, maxPending, executor, listener);
        byStream.computeIfAbsent(stream, k -> new CopyOnWriteArrayList<>()).add(s);
        s.readPage();
        return s;
    }

    /** On the writer thread, after the batch holding {@code m} was committed. */
    void onAppended(StoredMessage m) {
        List<Subscription> subs = byStream.get(m.stream());
        if (subs != null) {
            for (Subscription s : subs) {
                s.offerLive(m);
            }
        }
    }

    /** The store closes: every subscription ends with FAILED. */
    void closeAll() {
        for (List<Subscription> subs : byStream.values()) {
            for (Subscription s : subs) {
                s.end(Tail.End.FAILED, new StoreException(StoreException.Reason.CLOSED, "store is closed"));
            }
        }
    }

    private void remove(Subscription s) {
        byStream.computeIfPresent(s.stream, (k, list) -> {
            list.remove(s);
            return list.isEmpty() ? null : list;
        });
    }

    private final class Subscription implements Tail {
        final String stream;
        final int maxPending;
        final Executor executor;
        final TailListener listener;
        // Guarded by this.
        private final ArrayDeque<StoredMessage> ready = new ArrayDeque<>();
        private final ArrayDeque<StoredMessage> waitingLive = new ArrayDeque<>();
        /** Whether the subscriber asked for what is retained ({@code afterPosition = -1}): then a cut is no news. */
        private final boolean fromRetained;
        private boolean live;
        private boolean pageWanted;
        private boolean draining;
        private long last;
        private long handed;
        private End ended;
        private Throwable endCause;
        private boolean endTold;

        Subscription(String stream, long after, int maxPending, Executor executor, TailListener listener) {
            this.stream = stream;
            this.maxPending = maxPending;
            this.executor = executor;
            this.listener = listener;
            this.last = after;
            this.handed = after;
            this.fromRetained = after < 0;
        }

        void readPage() {
            long from;
            synchronized (this) {
                if (ended != null) {
                    return;
                }
                from = last + 1;
            }
            int max = Math.min(maxPending, maxPage);
            reader.read(stream, Math.max(0, from), max).whenComplete((page, err) -> onPage(page, err, max));
        }

        private void onPage(ReadResult page, Throwable err, int asked) {
            synchronized (this) {
                if (ended != null) {
                    return;
                }
                if (err != null) {
                    endLocked(End.FAILED, err);
                } else if (page.truncated() && !fromRetained && last + 1 < page.firstPosition()) {
                    endLocked(End.TRUNCATED, null);
                } else {
                    for (StoredMessage m : page.messages()) {
                        if (m.position() > last) {
                            ready.add(m);
                            last = m.position();
                        }
                    }
                    if (page.messages().size() < asked) {
                        live = true;
                        for (StoredMessage m : waitingLive) {
                            if (m.position() > last) {
                                if (ready.size() >= maxPending) {
                                    endLocked(End.LAGGED, null);
                                    break;
                                }
                                ready.add(m);
                                last = m.position();
                            }
                        }
                        waitingLive.clear();
                    } else {
                        pageWanted = true;
                    }
                }
            }
            schedule();
        }

        void offerLive(StoredMessage m) {
            synchronized (this) {
                if (ended != null) {
                    return;
                }
                if (!live) {
                    if (waitingLive.size() >= maxPending) {
                        endLocked(End.LAGGED, null);
                    } else {
                        waitingLive.add(m);
                        return;
                    }
                } else if (m.position() <= last) {
                    return;
                } else if (ready.size() >= maxPending) {
                    endLocked(End.LAGGED, null);
                } else {
                    ready.add(m);
                    last = m.position();
                }
            }
            schedule();
        }

        private void schedule() {
            synchronized (this) {
                if (draining) {
                    return;
                }
                draining = true;
            }
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    draining = false;
                    endLocked(End.FAILED, e);
                }
                remove(this);
            }
        }

        /** On the executor, one at a time. */
        private void drain() {
            while (true) {
                StoredMessage m;
                boolean fetch = false;
                End end = null;
                Throwable cause = null;
                long resume;
                synchronized (this) {
                    m = ready.poll();
                    if (m == null) {
                        draining = false;
                        if (ended != null && !endTold) {
                            endTold = true;
                            end = ended;
                            cause = endCause;
                        } else if (pageWanted && ended == null) {
                            pageWanted = false;
                            fetch = true;
                        }
                    }
                    resume = handed;
                }
                if (m == null) {
                    if (end != null) {
                        tell(end, resume, cause);
                    }
                    if (fetch) {
                        readPage();
                    }
                    return;
                }
                try {
                    listener.onMessage(m);
                } catch (RuntimeException e) {
                    log.warn("stream {}: tail listener failed on position {}: {}", stream, m.position(), e.toString());
                }
                synchronized (this) {
                    handed = m.position();
                }
            }
        }

        private void tell(End end, long resumeAfter, Throwable cause) {
            try {
                listener.onEnd(end, resumeAfter, cause);
            } catch (RuntimeException e) {
                log.warn("stream {}: tail listener failed on end: {}", stream, e.toString());
            }
        }

        /**
         * Under the monitor. Nothing more is handed on (what was ready is dropped: the listener resumes
         * from the last message it was handed); the end is told once, on the executor.
         */
        private void endLocked(End reason, Throwable cause) {
            if (ended != null) {
                return;
            }
            ended = reason;
            endCause = cause;
            waitingLive.clear();
            ready.clear();
            if (reason == End.LAGGED) {
                lagged.increment();
                log.info("stream {}: a tail subscriber fell more than {} messages behind, ended", stream, maxPending);
            }
            remove(this);
        }

        void end(End reason, Throwable cause) {
            synchronized (this) {
                endLocked(reason, cause);
            }
            schedule();
        }

        @Override
        public void close() {
            end(End.CLOSED, null);
        }
    }
}
