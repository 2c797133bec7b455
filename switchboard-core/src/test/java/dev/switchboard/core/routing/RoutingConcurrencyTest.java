package dev.switchboard.core.routing;

import dev.switchboard.core.message.Message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thousands of subscribers join, leave and detach, by room and by pattern, while several threads
 * publish, on real event loops. Every operation is stamped before it starts and after it returns from one global
 * linearizable counter, so for each publication and subscriber we know whether the subscriber was
 * surely subscribed throughout the publish call (must receive it), surely not subscribed at any point
 * of it (must not), or changing meanwhile (either is fine). Each subscriber's operations run on one
 * thread, as a connection's do on its event loop.
 */
@ExtendWith(LeakDetectorExtension.class)
class RoutingConcurrencyTest {

    private static final String SPACE = "/stress";
    private static final String[] ROOMS = {"r/0", "r/1", "q/2", "q/3"};
    /** Each matches two of the rooms, overlapping: a subscriber may match a room by room and two filters. */
    private static final String[] FILTERS = {"r/+", "q/#", "+/3"};
    private static final int SUBSCRIBERS = 2_000;
    private static final int CHURNERS = 2;
    /** Churners go on while the publishers run, within these bounds, so the two always overlap. */
    private static final int MIN_OPS_PER_CHURNER = 20_000;
    private static final int MAX_OPS_PER_CHURNER = 500_000;
    private static final int PUBLISHERS = 2;
    private static final int PUBLICATIONS_PER_PUBLISHER = 500;
    private static final long OPEN = Long.MAX_VALUE;

    private final AtomicLong clock = new AtomicLong();

    /** A membership: [joinStart, joinEnd] around the call that added it, [leaveStart, leaveEnd] around its removal. */
    static final class Interval {
        final long joinStart;
        final long joinEnd;
        long leaveStart = OPEN;
        long leaveEnd = OPEN;

        Interval(long joinStart, long joinEnd) {
            this.joinStart = joinStart;
            this.joinEnd = joinEnd;
        }
    }

    /** Membership intervals, written by the subscriber's churn thread, read after it has finished. */
    static final class Member extends RecordingIds {
        final Map<String, List<Interval>> rooms = new HashMap<>();
        final Map<String, Interval> openRooms = new HashMap<>();
        final Map<String, List<Interval>> patterns = new HashMap<>();
        final Map<String, Interval> openPatterns = new HashMap<>();
        final List<Interval> space = new ArrayList<>();
        Interval openSpace;

        Member(String id, EventExecutor loop) {
            super(id, loop);
        }
    }

    /** Records the publication ids it receives; written only on its loop, read after the loops drain. */
    static class RecordingIds implements Subscriber {
        final String id;
        final EventExecutor loop;
        final List<Long> received = new ArrayList<>();
        int offLoop;

        RecordingIds(String id, EventExecutor loop) {
            this.id = id;
            this.loop = loop;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public WireFormat wireFormat() {
            return TestFormats.TEXT;
        }

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            if (!loop.inEventLoop()) {
                offLoop++;
            }
            ByteBuf dup = message.frame(0).retainedDuplicate();
            try {
                received.add(Long.parseLong(dup.toString(StandardCharsets.US_ASCII)));
            } finally {
                dup.release();
            }
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {}
    }

    /** What one publication was: its id encodes publisher and sequence; stamps around the publish call. */
    record Sent(long id, int kind, String room, String except, String exceptId, long start, long end) {}

    @Test
    void everyPublicationReachesExactlyTheSubscribersThatWereInItsRoomsThroughout() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(4);
        ExecutorService threads = Executors.newFixedThreadPool(CHURNERS + PUBLISHERS);
        Router router = Routers.local();
        ConcurrentLinkedQueue<EncodedMessage> encodings = new ConcurrentLinkedQueue<>();
        router.register(TestFormats.TEXT, (message, f, alloc) -> {
            EncodedMessage m = EncodedMessage.of(f, ByteBufUtil.writeAscii(alloc, message.event()));
            encodings.add(m);
            return m;
        });
        try {
            Member[] members = new Member[SUBSCRIBERS];
            for (int i = 0; i < SUBSCRIBERS; i++) {
                members[i] = new Member("s" + i, loops.next());
            }
            // Everyone starts in one or two rooms, so publications have members whatever the scheduling.
            SplittableRandom initial = new SplittableRandom(1);
            for (Member m : members) {
                for (int k = 0; k < 1 + initial.nextInt(2); k++) {
                    join(router, m, ROOMS[initial.nextInt(ROOMS.length)]);
                }
            }
            CountDownLatch go = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger publishing = new java.util.concurrent.atomic.AtomicInteger(PUBLISHERS);
            List<Future<?>> churners = new ArrayList<>();
            for (int c = 0; c < CHURNERS; c++) {
                int part = c;
                churners.add(threads.submit(() -> {
                    go.await();
                    churn(router, members, part, publishing);
                    return null;
                }));
            }
            List<Future<List<Sent>>> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                publishers.add(threads.submit(() -> {
                    go.await();
                    try {
                        return publish(router, publisher, encodings);
                    } finally {
                        publishing.decrementAndGet();
                    }
                }));
            }
            go.countDown();
            for (Future<?> f : churners) {
                f.get(120, TimeUnit.SECONDS);
            }
            List<Sent> sent = new ArrayList<>();
            for (Future<List<Sent>> f : publishers) {
                sent.addAll(f.get(120, TimeUnit.SECONDS));
            }
            drain(loops);

            long mustReceive = 0;
            long mustNot = 0;
            long mustByPatternOnly = 0;
            for (Member m : members) {
                assertThat(m.offLoop).as("deliveries off the subscriber's loop").isZero();
                Map<Long, Integer> got = new HashMap<>();
                long[] lastPerPublisher = new long[PUBLISHERS];
                for (long id : m.received) {
                    got.merge(id, 1, Integer::sum);
                    int publisher = (int) (id / 1_000_000);
                    assertThat(id).as("order per publisher at %s", m.id).isGreaterThan(lastPerPublisher[publisher]);
                    lastPerPublisher[publisher] = id;
                }
                for (Sent s : sent) {
                    Verdict v = verdict(m, s);
                    Integer n = got.get(s.id());
                    if (v == Verdict.MUST) {
                        mustReceive++;
                        assertThat(n).as("%s was subscribed throughout publication %s", m.id, s).isEqualTo(1);
                        if (s.kind() != 2 && membership(m.rooms.get(s.room()), s) != Verdict.MUST) {
                            mustByPatternOnly++;
                        }
                    } else if (v == Verdict.MUST_NOT) {
                        mustNot++;
                        assertThat(n).as("%s was not subscribed during publication %s", m.id, s).isNull();
                    } else {
                        assertThat(n == null || n == 1).as("at most once: %s %s", m.id, s).isTrue();
                    }
                }
            }
            // The run must have exercised both sides of the guarantee substantially.
            String coverage = sent.size() + " publications: " + mustReceive + " must-receive (" + mustByPatternOnly
                    + " by pattern only) and " + mustNot + " must-not-receive (subscriber, publication) pairs checked";
            System.out.println(coverage);
            assertThat(mustReceive).as(coverage).isGreaterThan(10_000);
            assertThat(mustNot).as(coverage).isGreaterThan(10_000);
            assertThat(mustByPatternOnly).as(coverage).isGreaterThan(10_000);

            // Everyone detaches: nothing is left behind.
            for (Member m : members) {
                router.detach(SPACE, m);
            }
            assertThat(router.rooms(SPACE)).isEmpty();
            assertThat(router.patternsOf(SPACE, members[0])).isEmpty();
            assertThat(((LocalRouter) router).spaces()).isEmpty();
            int before = encodings.size();
            assertThat(router.publish(Message.builder(SPACE, "nobody").build()).toCompletableFuture().get()).isZero();
            assertThat(encodings).hasSize(before);
            assertThat(encodings).isNotEmpty().allMatch(e -> e.refCnt() == 0);
        } finally {
            threads.shutdownNow();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The narrow case behind exactly-once: subscribers leave and at once rejoin the room while one
     * thread publishes to it. A concurrent set iterator can meet a re-added subscriber twice; the
     * router must still deliver each publication at most once, in order.
     */
    @Test
    void aSubscriberReaddedDuringResolutionIsDeliveredOnce() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
        ExecutorService churner = Executors.newSingleThreadExecutor();
        Router router = Routers.local();
        router.register(TestFormats.TEXT, (message, f, alloc) -> EncodedMessage.of(f, ByteBufUtil.writeAscii(alloc,
                message.event())));
        try {
            RecordingIds[] subs = new RecordingIds[500];
            for (int i = 0; i < subs.length; i++) {
                subs[i] = new RecordingIds("s" + i, loops.next());
                router.subscribe(SPACE, "hot", subs[i]);
                router.subscribe(SPACE, "anchor", subs[i]); // stays in the space while it rejoins "hot"
            }
            java.util.concurrent.atomic.AtomicBoolean publishing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Future<?> churn = churner.submit(() -> {
                SplittableRandom rnd = new SplittableRandom(3);
                while (publishing.get()) {
                    RecordingIds s = subs[rnd.nextInt(subs.length)];
                    router.unsubscribe(SPACE, "hot", s);
                    router.subscribe(SPACE, "hot", s);
                }
            });
            for (long id = 1; id <= 3_000; id++) {
                router.publish(Message.builder(SPACE, Long.toString(id)).rooms(Set.of("hot")).build());
            }
            publishing.set(false);
            churn.get(30, TimeUnit.SECONDS);
            drain(loops);
            for (RecordingIds s : subs) {
                for (int i = 1; i < s.received.size(); i++) {
                    assertThat(s.received.get(i)).as("%s: each publication once, in order", s.id)
                            .isGreaterThan(s.received.get(i - 1));
                }
            }
        } finally {
            churner.shutdownNow();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    private void churn(Router router, Member[] members, int part, java.util.concurrent.atomic.AtomicInteger publishing) {
        SplittableRandom rnd = new SplittableRandom(42 + part);
        for (int op = 0; op < MAX_OPS_PER_CHURNER && (op < MIN_OPS_PER_CHURNER || publishing.get() > 0); op++) {
            // Subscribers are partitioned between churners: each one's operations stay on one thread.
            int i = rnd.nextInt(SUBSCRIBERS / CHURNERS) * CHURNERS + part;
            Member m = members[i];
            String room = ROOMS[rnd.nextInt(ROOMS.length)];
            String filter = FILTERS[rnd.nextInt(FILTERS.length)];
            int dice = rnd.nextInt(100);
            if (dice < 40) {
                join(router, m, room);
            } else if (dice < 55) {
                joinPattern(router, m, filter);
            } else if (dice < 65) {
                Interval iv = m.openPatterns.remove(filter);
                if (iv == null) {
                    continue;
                }
                iv.leaveStart = clock.incrementAndGet();
                router.unsubscribePattern(SPACE, filter, m);
                iv.leaveEnd = clock.incrementAndGet();
            } else if (dice < 85) {
                Interval iv = m.openRooms.remove(room);
                if (iv == null) {
                    continue;
                }
                iv.leaveStart = clock.incrementAndGet();
                router.unsubscribe(SPACE, room, m);
                iv.leaveEnd = clock.incrementAndGet();
            } else {
                if (m.openSpace == null) {
                    continue;
                }
                long start = clock.incrementAndGet();
                router.detach(SPACE, m);
                long end = clock.incrementAndGet();
                for (Interval iv : m.openRooms.values()) {
                    iv.leaveStart = start;
                    iv.leaveEnd = end;
                }
                m.openRooms.clear();
                for (Interval iv : m.openPatterns.values()) {
                    iv.leaveStart = start;
                    iv.leaveEnd = end;
                }
                m.openPatterns.clear();
                m.openSpace.leaveStart = start;
                m.openSpace.leaveEnd = end;
                m.openSpace = null;
            }
        }
    }

    /** Joins the room (and so the space) unless already in it; stamps the membership. */
    private void join(Router router, Member m, String room) {
        if (m.openRooms.containsKey(room)) {
            return;
        }
        long start = clock.incrementAndGet();
        router.subscribe(SPACE, room, m);
        long end = clock.incrementAndGet();
        Interval iv = new Interval(start, end);
        m.openRooms.put(room, iv);
        m.rooms.computeIfAbsent(room, r -> new ArrayList<>()).add(iv);
        if (m.openSpace == null) {
            m.openSpace = new Interval(start, end);
            m.space.add(m.openSpace);
        }
    }

    /** Subscribes to the filter (and so joins the space) unless already subscribed; stamps the membership. */
    private void joinPattern(Router router, Member m, String filter) {
        if (m.openPatterns.containsKey(filter)) {
            return;
        }
        long start = clock.incrementAndGet();
        router.subscribePattern(SPACE, filter, m);
        long end = clock.incrementAndGet();
        Interval iv = new Interval(start, end);
        m.openPatterns.put(filter, iv);
        m.patterns.computeIfAbsent(filter, f -> new ArrayList<>()).add(iv);
        if (m.openSpace == null) {
            m.openSpace = new Interval(start, end);
            m.space.add(m.openSpace);
        }
    }

    private List<Sent> publish(Router router, int publisher, ConcurrentLinkedQueue<EncodedMessage> encodings)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(7 + publisher);
        List<Sent> sent = new ArrayList<>();
        for (int n = 1; n <= PUBLICATIONS_PER_PUBLISHER; n++) {
            long id = publisher * 1_000_000L + n;
            // 0 room, 1 room except another room, 2 whole space, 3 room except one subscriber (broadcast)
            int kind = rnd.nextInt(4);
            String exceptId = "s" + rnd.nextInt(SUBSCRIBERS);
            String room = ROOMS[rnd.nextInt(ROOMS.length)];
            String except = ROOMS[(java.util.Arrays.asList(ROOMS).indexOf(room) + 1 + rnd.nextInt(ROOMS.length - 1))
                    % ROOMS.length];
            String event = Long.toString(id);
            Message p = switch (kind) {
                case 0 -> TestFormats.message(SPACE, Set.of(room), Set.of(), Set.of(), event);
                case 1 -> TestFormats.message(SPACE, Set.of(room), Set.of(except), Set.of(), event);
                case 2 -> TestFormats.message(SPACE, Set.of(), Set.of(), Set.of(), event);
                default -> TestFormats.message(SPACE, Set.of(room), Set.of(), Set.of(exceptId), event);
            };
            long start = clock.incrementAndGet();
            router.publish(p);
            long end = clock.incrementAndGet();
            sent.add(new Sent(id, kind, room, except, exceptId, start, end));
        }
        return sent;
    }

    enum Verdict { MUST, MUST_NOT, EITHER }

    private static Verdict verdict(Member m, Sent s) {
        switch (s.kind()) {
            case 0:
                return reached(m, s);
            case 1: {
                // Except rooms exclude by room membership, whatever reached the subscriber.
                Verdict in = reached(m, s);
                Verdict excluded = membership(m.rooms.get(s.except()), s);
                if (in == Verdict.MUST_NOT || excluded == Verdict.MUST) {
                    return Verdict.MUST_NOT;
                }
                return in == Verdict.MUST && excluded == Verdict.MUST_NOT ? Verdict.MUST : Verdict.EITHER;
            }
            case 2:
                return membership(m.space, s);
            default:
                return m.id.equals(s.exceptId()) ? Verdict.MUST_NOT : reached(m, s);
        }
    }

    /**
     * Whether a publication to {@code s.room()} reaches {@code m} by room or by any matching filter:
     * MUST if one of those memberships surely covers the call, MUST_NOT if none can overlap it.
     */
    private static Verdict reached(Member m, Sent s) {
        Verdict v = membership(m.rooms.get(s.room()), s);
        for (String filter : FILTERS) {
            if (v == Verdict.MUST) {
                return v;
            }
            if (TopicFilter.of(filter).matches(s.room())) {
                Verdict byFilter = membership(m.patterns.get(filter), s);
                if (byFilter == Verdict.MUST || byFilter == Verdict.EITHER) {
                    v = byFilter;
                }
            }
        }
        return v;
    }

    /** MUST if a membership surely covers the whole call, MUST_NOT if none can overlap it at all. */
    private static Verdict membership(List<Interval> intervals, Sent s) {
        if (intervals == null) {
            return Verdict.MUST_NOT;
        }
        boolean overlaps = false;
        for (Interval iv : intervals) {
            if (iv.joinEnd < s.start() && iv.leaveStart > s.end()) {
                return Verdict.MUST;
            }
            if (!(iv.leaveEnd < s.start() || iv.joinStart > s.end())) {
                overlaps = true;
            }
        }
        return overlaps ? Verdict.EITHER : Verdict.MUST_NOT;
    }

    /**
     * Waits until the loops have run every fan-out task. The bound is generous: with the leak detector
     * at paranoid every delivery records stack traces (about a million here), and on a shared machine
     * loaded ten times over its cores the loops took more than 30 s to drain.
     */
    private static void drain(DefaultEventLoopGroup loops) throws Exception {
        for (EventExecutor e : loops) {
            e.submit(() -> { }).get(300, TimeUnit.SECONDS);
        }
    }
}
