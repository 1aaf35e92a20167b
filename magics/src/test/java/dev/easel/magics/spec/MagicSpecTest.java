package dev.easel.magics.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.options.Option;
import dev.easel.engine.options.Suggest;
import dev.easel.magics.MagicException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MagicSpecTest {

    private final MagicSpec spec = MagicSpec.magic("txt2img", "Draw images from a prompt")
            .option(Option.integer("steps", "N", 20, "sampling steps").min(1))
            .option(Option.floating("cfg", "F", 7.0, "guidance scale").min(0))
            .option(Option.string("negative", "TEXT", "", "what not to draw"))
            .option(Option.choice("sampler", List.of("euler", "euler_a", "ddim"), "euler_a", "sampler"))
            .option(Option.size("size", new Option.Size(512, 512), "image size"))
            .option(Option.flag("no-save", "don't save PNGs"))
            .rest("PROMPT", "what to draw")
            .cellBody("the prompt")
            .example("%txt2img --steps 20 a red circle");

    private ParsedArgs parse(String line) {
        return spec.parse(line, "%txt2img");
    }

    private String error(String line) {
        return assertThrows(MagicException.class, () -> parse(line)).getMessage();
    }

    @Test
    void defaultsWhenNothingIsGiven() {
        ParsedArgs args = parse("");
        assertEquals(20, args.integer("steps"));
        assertEquals(7.0, args.number("cfg"));
        assertEquals("euler_a", args.string("sampler"));
        assertEquals(new Option.Size(512, 512), args.size("size"));
        assertFalse(args.flag("no-save"));
        assertFalse(args.given("steps"));
        assertEquals(Optional.empty(), args.positional("PROMPT"));
    }

    @Test
    void typedValuesWithSpaceOrEquals() {
        ParsedArgs args = parse("--steps 30 --cfg=5.5 --sampler DDIM --size=640x384 --no-save a red circle");
        assertEquals(30, args.integer("steps"));
        assertEquals(5.5, args.number("cfg"));
        assertEquals("ddim", args.string("sampler"));
        assertEquals(new Option.Size(640, 384), args.size("size"));
        assertTrue(args.flag("no-save"));
        assertTrue(args.given("steps"));
        assertEquals("a red circle", args.positional("PROMPT").orElseThrow());
    }

    @Test
    void theRestOfTheLineIsTakenVerbatim() {
        assertEquals(
                "a cat's hat, (masterpiece:1.2),  \"quoted\"",
                parse("--steps 5 a cat's hat, (masterpiece:1.2),  \"quoted\"  ")
                        .positional("PROMPT")
                        .orElseThrow());
        assertEquals(
                "a red circle", parse("\"a red circle\"").positional("PROMPT").orElseThrow());
        assertEquals(
                "--steps is text",
                parse("-- --steps is text").positional("PROMPT").orElseThrow());
    }

    @Test
    void quotedOptionValues() {
        assertEquals("blurry, ugly", parse("--negative \"blurry, ugly\" x").string("negative"));
        assertEquals("blurry, ugly", parse("--negative='blurry, ugly' x").string("negative"));
    }

    @Test
    void unknownOptionNamesTheClosest() {
        assertEquals(
                "unknown option --stpes for %txt2img — did you mean --steps? (%txt2img --help lists them)",
                error("--stpes 20 a cat"));
        assertEquals("unknown option --zzzzzzzz for %txt2img (%txt2img --help lists them)", error("--zzzzzzzz 1"));
    }

    @Test
    void valueTypeErrors() {
        assertEquals("--steps takes a whole number, got 'abc'", error("--steps abc a cat"));
        assertEquals("--cfg takes a number such as 7.5, got 'high'", error("--cfg high a cat"));
        assertEquals("--size takes WIDTHxHEIGHT in pixels such as 512x512, got '512'", error("--size 512 a cat"));
        assertEquals(
                "--sampler takes one of euler, euler_a, ddim, got 'eulr' — did you mean euler?",
                error("--sampler eulr a cat"));
    }

    @Test
    void rangeErrors() {
        assertEquals("--steps takes a whole number ≥ 1, got -5", error("--steps -5 a cat"));
        assertEquals("--steps takes a whole number ≥ 1, got 0", error("--steps=0 a cat"));
    }

    @Test
    void missingValueAndFlagWithValue() {
        assertEquals("--steps needs a value (N), e.g. %txt2img --steps 20", error("--steps"));
        assertEquals("--no-save is a switch and takes no value: write just --no-save", error("--no-save=yes"));
    }

    @Test
    void positionalsAndArity() {
        MagicSpec load = MagicSpec.magic("load_model", "Load")
                .option(Option.string("as", "NAME", "sd", "variable"))
                .optionalPositional("PATH", "where");
        assertEquals(
                "x y",
                load.parse("'x y' --as pipe", "%load_model").positional("PATH").orElseThrow());
        assertEquals("pipe", load.parse("'x y' --as pipe", "%load_model").string("as"));
        assertEquals(Optional.empty(), load.parse("--as p", "%load_model").positional("PATH"));
        assertEquals(
                "%load_model got an unexpected argument 'b' — usage: %load_model [options] [PATH]",
                assertThrows(MagicException.class, () -> load.parse("a b", "%load_model"))
                        .getMessage());
        MagicSpec info = MagicSpec.magic("png_info", "Info").positional("PATH", "file");
        assertEquals(
                "%png_info needs PATH — usage: %png_info PATH",
                assertThrows(MagicException.class, () -> info.parse(" ", "%png_info"))
                        .getMessage());
        MagicSpec many = MagicSpec.magic("maven", "m").manyPositional("COORDS", "c");
        assertEquals(
                List.of("a:b:1", "c:d:2"), many.parse("a:b:1 c:d:2", "%maven").positionals("COORDS"));
    }

    @Test
    void helpIsGeneratedFromTheSpec() {
        String help = spec.help();
        assertTrue(
                help.startsWith("%txt2img [options] PROMPT…\n%%txt2img [options]\n    (cell body: the prompt)"), help);
        assertTrue(help.contains("--steps N"), help);
        assertTrue(help.contains("sampling steps [1..] (default 20)"), help);
        assertTrue(help.contains("--sampler euler|euler_a|ddim"), help);
        assertTrue(help.contains("--no-save "), help);
        assertTrue(help.contains("Example:\n  %txt2img --steps 20 a red circle"), help);
        assertEquals(
                List.of("--steps", "--cfg", "--negative", "--sampler", "--size", "--no-save", "--help"),
                spec.optionNames());
    }

    @Test
    void suggestionsOnlyWhenClose() {
        assertEquals(Optional.of("steps"), Suggest.closest("step", List.of("steps", "seed", "size")));
        assertEquals(Optional.of("seed"), Suggest.closest("sed", List.of("steps", "seed", "size")));
        assertEquals(Optional.empty(), Suggest.closest("qwertyuiop", List.of("steps", "seed")));
    }
}
