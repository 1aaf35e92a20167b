/**
 * Memory estimates made before work starts, so that a job which cannot fit fails with one line saying what it needs,
 * what is free and which option would fit — instead of the kernel being killed. {@link
 * dev.easel.engine.memory.MemoryBudget} reads what is available (physical, cgroup) and holds the estimates.
 */
package dev.easel.engine.memory;
