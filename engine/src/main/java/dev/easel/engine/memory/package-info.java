/**
 * Memory estimates made before work starts, so that a job which cannot fit fails with one line saying what it needs,
 * what is free and which option would fit — instead of the kernel being killed. {@link
 * dev.easel.engine.memory.MemoryBudget} reads what is available (physical, cgroup) and holds the estimates;
 * {@link dev.easel.engine.memory.HugePages} asks for huge pages where a large block of fresh memory is about to be
 * filled.
 */
package dev.easel.engine.memory;
