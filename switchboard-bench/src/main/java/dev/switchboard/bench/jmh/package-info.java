/**
 * JMH micro-benchmarks (the core fan-out and codecs). The compiler runs JMH's annotation processor
 * over this module, so any {@code @Benchmark} class placed here is runnable with
 * {@code switchboard-bench/run jmh [JMH options]} (see the module README).
 */
package dev.switchboard.bench.jmh;
