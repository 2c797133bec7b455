package dev.switchboard.bench.harness;

import dev.switchboard.bench.load.FdLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The side-by-side benchmark: starts each server in its own process, one after another, runs every
 * scenario of the profile against it (a fresh server process per scenario), and writes one report.
 *
 * <pre>
 * switchboard-bench/run quick|large [--servers switchboard,node,netty-socketio]
 *                                   [--switchboard-cmd "bin/switchboard echo --port {port} ..."]
 *                                   [--out DIR] [--rounds N] [--io-threads N]
 *                                   [--scenarios idle,fanout,many-rooms,request-reply,storm]
 * </pre>
 *
 * The run has a hard bound (the profile's budget): past it every started process is killed and the
 * harness exits with status 3.
 */
public final class BenchMain {

    private static final Logger LOG = LoggerFactory.getLogger(BenchMain.class);

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: run quick|large [--servers a,b] [--switchboard-cmd CMD] [--out DIR] [--rounds N] [--io-threads N] [--scenarios a,b] [--repo DIR]");
            System.exit(2);
        }
        Profile profile = Profile.named(args[0]);
        List<String> wanted = List.of(option(args, "--servers", "switchboard,node,netty-socketio").split(","));
        Path repo = Path.of(option(args, "--repo", findRepo().toString())).toAbsolutePath().normalize();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path out = Path.of(option(args, "--out",
                repo.resolve("switchboard-bench/results/" + stamp + "-" + profile.name()).toString()));
        Files.createDirectories(out);
        int rounds = Integer.parseInt(option(args, "--rounds", "1"));
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
        }
        Load.ioThreads = Integer.parseInt(option(args, "--io-threads", "1"));
        startWatchdog(profile, rounds);
        long started = System.nanoTime();

        List<String> notes = new ArrayList<>();
        List<ServerSpec> specs = new ArrayList<>();
        if (wanted.contains("switchboard")) {
            Optional<ServerSpec> sb = Servers.switchboard(repo, option(args, "--switchboard-cmd", Servers.DEFAULT_SWITCHBOARD));
            sb.ifPresentOrElse(specs::add, () -> notes.add("Switchboard was skipped: `bin/switchboard` does not exist in this "
                    + "checkout yet; ratios are to the Node server."));
        }
        if (wanted.contains("node")) {
            specs.add(Servers.node(repo));
        }
        if (wanted.contains("netty-socketio")) {
            specs.add(Servers.nettySocketIo(repo));
        }
        String baseline = specs.stream().anyMatch(s -> s.name().equals("switchboard")) ? "switchboard"
                : specs.isEmpty() ? "none" : specs.get(0).name();
        Heartbeat hb = Heartbeat.standard();

        List<Result> results = new ArrayList<>();
        Map<String, Function<ServerProcess, List<Result>>> all = new LinkedHashMap<>();
        all.put("idle", s -> List.of(IdleScenario.run(s, profile)));
        all.put("fanout", s -> FanoutScenario.run(s, profile));
        all.put("many-rooms", s -> List.of(ManyRoomsScenario.run(s, profile)));
        all.put("request-reply", s -> List.of(RequestReplyScenario.run(s, profile)));
        all.put("storm", s -> ConnectStormScenario.run(s, profile));
        List<String> names = new ArrayList<>(all.keySet());
        String only = option(args, "--scenarios", null);
        if (only != null) {
            List<String> asked = List.of(only.split(","));
            for (String a : asked) {
                if (!all.containsKey(a)) {
                    throw new IllegalArgumentException("unknown scenario '" + a + "' (" + String.join(", ", all.keySet()) + ")");
                }
            }
            names.retainAll(asked);
            notes.add("Only the scenarios " + String.join(", ", names) + " were run (`--scenarios`).");
        }
        List<Function<ServerProcess, List<Result>>> scenarios = names.stream().map(all::get).toList();
        List<ServerSpec> measured = new ArrayList<>();
        for (ServerSpec spec : specs) {
            Path log = out.resolve(spec.name() + ".log");
            // the first start may build the server (bin/switchboard builds once): allow it time
            try (ServerProcess s = ServerProcess.start(spec, hb, log, java.time.Duration.ofMinutes(10))) {
                String problem = SanityCheck.check(s);
                if (problem != null) {
                    LOG.warn("{} failed the echo sanity check, not measured: {}", spec.name(), problem);
                    notes.add(spec.name() + " failed the echo sanity check and was not measured: " + problem);
                    continue;
                }
                measured.add(spec);
            } catch (IOException e) {
                LOG.warn("{} did not start: {}", spec.name(), e.getMessage());
                notes.add(spec.name() + " did not start: " + e.getMessage());
            }
        }
        // Servers take turns per scenario (not one server's whole run, then the next), so that a
        // busy spell on this shared machine does not land on one server only; with several rounds
        // the report gives each figure's median.
        for (int round = 1; round <= rounds; round++) {
            for (int i = 0; i < scenarios.size(); i++) {
                for (ServerSpec spec : measured) {
                    Path log = out.resolve(spec.name() + ".log");
                    LOG.info("{}: scenario {} ({} profile, round {}/{})", spec.name(), names.get(i), profile.name(), round, rounds);
                    String load = ProcStats.loadAverage();
                    try (ServerProcess s = ServerProcess.start(spec, hb, log)) {
                        List<Result> rs = scenarios.get(i).apply(s);
                        // the machine is shared: say how busy it was when the scenario began
                        rs.forEach(r -> r.note(Result.LOAD_AVG + load));
                        if (!s.alive()) {
                            rs.forEach(r -> r.note("server process exited during the scenario; see " + log.getFileName()));
                        }
                        rs.forEach(r -> LOG.info("  {} {} {} {}", r.scenario, r.server, r.figures, r.note));
                        results.addAll(rs);
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("{}: scenario {} failed: {}", spec.name(), names.get(i), e.toString());
                        results.add(new Result(names.get(i), spec.name()).note("scenario failed: " + e));
                    }
                }
            }
        }
        if (rounds > 1) {
            results = Result.medians(results);
            notes.add("Each figure is the median of " + rounds + " rounds.");
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        List<String> serverNames = specs.stream().map(ServerSpec::name).toList();
        Report.write(out, header(profile, specs, baseline, hb, notes, minutes, repo), results, serverNames, baseline);
        if (option(args, "--out", null) == null && only == null) {
            // a full run into the default results folder is "the latest report": keep a copy under docs/
            Path docs = repo.resolve("docs/benchmarks/" + profile.name());
            Files.createDirectories(docs);
            try (Stream<Path> files = Files.list(out)) {
                for (Path f : files.filter(f -> !f.toString().endsWith(".log") && !f.toString().contains("-histogram-")).toList()) {
                    Files.copy(f, docs.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            LOG.info("latest report copied to {}", docs);
        }
        LOG.info("report: {}, {} minutes", out.resolve("report.md"), String.format(Locale.ROOT, "%.1f", minutes));
        System.exit(0);
    }

    private static String header(Profile p, List<ServerSpec> specs, String baseline, Heartbeat hb, List<String> notes,
                                 double minutes, Path repo) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Switchboard side-by-side benchmark — profile `").append(p.name()).append("`\n\n");
        sb.append("Run ").append(LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16))
                .append(" at commit `").append(Servers.git(repo, "rev-parse", "--short", "HEAD")).append("`, ")
                .append(String.format(Locale.ROOT, "%.1f", minutes)).append(" minutes, with `switchboard-bench/run ")
                .append(p.name()).append("`.\n\n");
        sb.append("**Machine:** ").append(machine()).append(". The load generator (Java, Netty NIO, ")
                .append(Load.ioThreads).append(" event loop").append(Load.ioThreads == 1 ? "" : "s").append(") ")
                .append("runs on the same machine, against 127.0.0.1 from source addresses 127.0.0.2+; its ")
                .append("descriptor limit (nofile soft/hard) is ").append(FdLimits.nofile("self"))
                .append(", ephemeral ports per source address ").append(FdLimits.ephemeralPortsPerAddress())
                .append(". Other work on the machine shows in the notes as the 1-minute load average when each ")
                .append("scenario began; figures from a busy machine vary by tens of percent between runs.\n\n");
        sb.append("**Servers** (each in its own process, measured one after another, a fresh process per scenario, ")
                .append("same echo application and settings: ping interval ").append(hb.pingIntervalMs())
                .append(" ms, ping timeout ").append(hb.pingTimeoutMs()).append(" ms, max payload ")
                .append(hb.maxPayload()).append(" B; JVMs with `").append(Servers.JVM_OPTS).append("`):\n\n");
        specs.forEach(s -> sb.append("- `").append(s.name()).append("`: ").append(s.version()).append('\n'));
        sb.append("\n**Profile `").append(p.name()).append("`:** idle ").append(p.idleConnections())
                .append(" connections (connect rate ").append((long) p.connectRate()).append("/s, CPU sampled over ")
                .append(p.idleWindow().toSeconds()).append(" s right after connecting (cold) and again from ")
                .append(p.idleWarmup().toSeconds()).append(" s after (warm)); fan-out ").append(p.fanoutSubscribers())
                .append(" subscribers, fixed phase ").append((long) p.fanoutRate()).append(" broadcasts/s, max phase ")
                .append(p.fanoutInFlight()).append(" broadcasts in flight, ").append(p.fanoutWindow().toSeconds())
                .append(" s each; many rooms ").append(p.roomClients()).append(" clients in ").append(p.roomClients() / 10)
                .append(" rooms, ").append((long) p.roomsRate()).append(" broadcasts/s; request-reply ")
                .append(p.ackClients()).append(" clients x ").append(p.ackInFlight()).append(" in flight for ")
                .append(p.ackWindow().toSeconds()).append(" s; connect storm ").append(p.stormAttempts())
                .append(" attempts per transport, ").append(p.stormInFlight()).append(" in flight; payload ")
                .append(p.payloadBytes()).append(" B.\n\n");
        sb.append("Ratios compare each server's headline figure with `").append(baseline)
                .append("` (for latency and memory lower is better, for rates higher is better). ")
                .append("Latency is measured from a timestamp the sender put in the payload, in the same JVM. ")
                .append("Drops are expected deliveries still missing ").append(Load.DRAIN_QUIET.toSeconds())
                .append(" s after deliveries stopped (waiting at most ").append(Load.DRAIN_MAX.toSeconds()).append(" s).\n");
        notes.forEach(n -> sb.append("\n> ").append(n).append('\n'));
        return sb.toString();
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException e) {
            // keep "unknown CPU"
        }
        long memGb = 0;
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            memGb = lines.filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024).orElse(0L);
        } catch (IOException e) {
            // keep 0
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + memGb + " GB RAM, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java "
                + System.getProperty("java.vm.version");
    }

    /** Past the profile's budget (per round) every started process is killed and the JVM halts with 3. */
    private static void startWatchdog(Profile p, int rounds) {
        java.time.Duration budget = p.budget().multipliedBy(rounds);
        Thread t = new Thread(() -> {
            long end = System.nanoTime() + budget.toNanos();
            while (System.nanoTime() < end) {
                try {
                    TimeUnit.NANOSECONDS.sleep(end - System.nanoTime());
                } catch (InterruptedException e) {
                    return;
                }
            }
            LOG.error("the {} profile exceeded its bound of {}: stopping every process", p.name(), budget);
            Children.destroyAll();
            Runtime.getRuntime().halt(3);
        }, "bench-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static Path findRepo() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("switchboard-bench")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    private static String option(String[] args, String name, String fallback) {
        int i = Arrays.asList(args).indexOf(name);
        return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
    }
}
