/**
 * The {@code bench-kernel} subcommand: start-up, execute latency against raw JShell, output throughput, interrupt
 * time and idle memory of an installed kernel.
 */
package dev.easel.kernel.bench;
