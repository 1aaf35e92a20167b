package dev.easel.display;

/** Markdown the notebook renders: {@code display(Markdown("# Title"))}. */
public record Markdown(String markdown) {}
