package dev.easel.display;

/** HTML to show as-is: {@code display(HTML("<b>hi</b>"))}. */
public record HTML(String html) {}
