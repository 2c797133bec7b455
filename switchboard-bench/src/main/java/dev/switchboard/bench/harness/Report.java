package dev.switchboard.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Writes the run's report into its results folder: {@code report.md} (one table per scenario, each
 * server's figures and the ratio of its headline figure to the baseline server), {@code results.csv}
 * (every figure, one per line) and PNG charts of latency percentiles and memory per connection.
 */
final class Report {

    /** The figure each scenario is compared on, and whether higher is better. */
    private static final Map<String, String> HEADLINE = Map.of(
            "idle", "RSS KB/conn",
            "fanout-fixed", "p99 ms",
            "fanout-max", "delivered msg/s",
            "many-rooms", "delivered msg/s",
            "request-reply", "acks/s",
            "storm-polling", "conn/s",
            "storm-websocket", "conn/s");

    private static final List<String> ORDER = List.of("idle", "fanout-fixed", "fanout-max", "many-rooms",
            "request-reply", "storm-polling", "storm-websocket");

    /** Figures of the server's CPU per unit of work ({@link ServerCpu}): µs per message, ack or connection. */
    private static final String COST_PREFIX = "server CPU µs/";

    private Report() {}

    static void write(Path dir, String header, List<Result> results, List<String> servers, String baseline)
            throws IOException {
        writeCsv(dir.resolve("results.csv"), results);
        List<String> charts = charts(dir, results, servers);
        StringBuilder md = new StringBuilder(header);
        for (String scenario : ORDER) {
            List<Result> rows = results.stream().filter(r -> r.scenario.equals(scenario)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            md.append("\n### ").append(scenario).append("\n\n");
            Set<String> cols = new LinkedHashSet<>();
            rows.forEach(r -> cols.addAll(r.figures.keySet()));
            String headline = HEADLINE.get(scenario);
            Double base = rows.stream().filter(r -> r.server.equals(baseline)).findFirst()
                    .map(r -> r.figures.get(headline)).orElse(null);
            md.append("| server |");
            cols.forEach(c -> md.append(' ').append(c).append(" |"));
            // the server's CPU per delivered message (or ack, or connection) compares servers even where
            // the load generator set the rates: a second ratio column wherever the scenario has it
            String cost = cols.stream().filter(c -> c.startsWith(COST_PREFIX)).findFirst().orElse(null);
            Double baseCost = cost == null ? null : rows.stream().filter(r -> r.server.equals(baseline)).findFirst()
                    .map(r -> r.figures.get(cost)).orElse(null);
            md.append(' ').append(headline).append(" vs ").append(baseline).append(" |");
            if (cost != null) {
                md.append(' ').append(cost).append(" vs ").append(baseline).append(" |");
            }
            md.append(" notes |\n|---|");
            cols.forEach(c -> md.append("---:|"));
            md.append(cost == null ? "---:|---|\n" : "---:|---:|---|\n");
            for (Result r : rows) {
                md.append("| ").append(r.server).append(" |");
                for (String c : cols) {
                    Double v = r.figures.get(c);
                    md.append(' ').append(v == null ? "–" : format(v)).append(" |");
                }
                Double v = r.figures.get(headline);
                md.append(' ').append(ratio(v, base)).append(" |");
                if (cost != null) {
                    md.append(' ').append(ratio(r.figures.get(cost), baseCost)).append(" |");
                }
                md.append(' ').append(r.note.replace("|", "/")).append(" |\n");
            }
        }
        List<Result> failed = results.stream().filter(r -> !ORDER.contains(r.scenario)).toList();
        if (!failed.isEmpty()) {
            md.append("\n### Scenario runs that failed\n\n");
            failed.forEach(r -> md.append("- ").append(r.server).append(", ").append(r.scenario).append(": ")
                    .append(r.note).append('\n'));
        }
        if (!charts.isEmpty()) {
            md.append("\n### Charts\n\n");
            charts.forEach(c -> md.append("![").append(c).append("](").append(c).append(")\n\n"));
        }
        Files.writeString(dir.resolve("report.md"), md.toString());
    }

    private static String ratio(Double v, Double base) {
        return v == null || base == null || base == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", v / base);
    }

    private static void writeCsv(Path file, List<Result> results) throws IOException {
        StringBuilder csv = new StringBuilder("scenario,server,figure,value\n");
        for (Result r : results) {
            r.figures.forEach((k, v) -> csv.append(r.scenario).append(',').append(r.server).append(',')
                    .append(k).append(',').append(String.format(Locale.ROOT, "%.4f", v)).append('\n'));
            if (!r.note.isEmpty()) {
                csv.append(r.scenario).append(',').append(r.server).append(",note,\"")
                        .append(r.note.replace("\"", "'")).append("\"\n");
            }
        }
        Files.writeString(file, csv.toString());
    }

    private static List<String> charts(Path dir, List<Result> results, List<String> servers) throws IOException {
        List<String> files = new ArrayList<>();
        List<String> pct = List.of("p50 ms", "p99 ms", "p99.9 ms");
        for (String scenario : List.of("fanout-fixed", "fanout-max", "many-rooms", "request-reply")) {
            Map<String, List<Double>> series = new LinkedHashMap<>();
            for (String server : servers) {
                results.stream().filter(r -> r.scenario.equals(scenario) && r.server.equals(server)
                                && r.figures.keySet().containsAll(pct))
                        .findFirst()
                        .ifPresent(r -> series.put(server, pct.stream().map(r.figures::get).toList()));
            }
            if (!series.isEmpty()) {
                String name = "latency-" + scenario + ".png";
                bar(dir.resolve(name), "Latency, " + scenario, "percentile", "ms", pct, series);
                files.add(name);
            }
        }
        Map<String, List<Double>> cost = new LinkedHashMap<>();
        List<String> costScenarios = List.of("fanout-fixed", "fanout-max", "many-rooms", "request-reply");
        for (String server : servers) {
            List<Double> values = new ArrayList<>();
            for (String scenario : costScenarios) {
                values.add(results.stream().filter(r -> r.scenario.equals(scenario) && r.server.equals(server))
                        .flatMap(r -> r.figures.entrySet().stream())
                        .filter(e -> e.getKey().startsWith(COST_PREFIX)).map(Map.Entry::getValue)
                        .findFirst().orElse(0.0));
            }
            if (values.stream().anyMatch(v -> v > 0)) {
                cost.put(server, values);
            }
        }
        if (!cost.isEmpty()) {
            bar(dir.resolve("server-cpu-per-message.png"), "Server CPU per delivered message (per ack in request-reply)",
                    "scenario", "µs", costScenarios, cost);
            files.add("server-cpu-per-message.png");
        }
        List<String> mem = List.of("RSS KB/conn", "heap KB/conn");
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String server : servers) {
            results.stream().filter(r -> r.scenario.equals("idle") && r.server.equals(server)).findFirst()
                    .ifPresent(r -> series.put(server, mem.stream().map(k -> r.figures.getOrDefault(k, 0.0)).toList()));
        }
        if (!series.isEmpty()) {
            bar(dir.resolve("memory-per-connection.png"), "Memory per idle connection", "", "KB", mem, series);
            files.add("memory-per-connection.png");
        }
        return files;
    }

    private static void bar(Path file, String title, String x, String y, List<String> categories,
                            Map<String, List<Double>> series) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(800).height(450).title(title)
                .xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setLegendVisible(true);
        series.forEach((name, values) -> chart.addSeries(name, categories, values));
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
