package dev.easel.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The byte-level side of CLIP's BPE, shared by the tokenizer and the vocabulary trainer: the byte → printable
 * character map (GPT-2's {@code bytes_to_unicode}), the CLIP pre-tokenizer regex that cuts text into words, and a
 * word's initial symbols (one per byte, the last marked with {@code </w>}).
 */
public final class ByteLevel {

    public static final String BOS = "<|startoftext|>";
    public static final String EOS = "<|endoftext|>";
    public static final String END_OF_WORD = "</w>";

    private static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    /** Byte value → its printable stand-in character. */
    private static final char[] ENCODER = new char[256];
    /** Stand-in character → its byte (the inverse of {@link #ENCODER}). */
    private static final int[] DECODER = new int[512];
    /** The 256 stand-ins in CLIP's vocabulary order: printable bytes first, then the others in byte order. */
    private static final List<Character> VOCAB_ORDER = new ArrayList<>();

    static {
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++) {
            printable[b] = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
            if (printable[b]) {
                ENCODER[b] = (char) b;
                DECODER[b] = b;
                VOCAB_ORDER.add((char) b);
            }
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                DECODER[256 + n] = b;
                ENCODER[b] = (char) (256 + n++);
                VOCAB_ORDER.add(ENCODER[b]);
            }
        }
    }

    private ByteLevel() {}

    /** The 256 single-byte symbols in the order CLIP's vocabulary lists them (ids 0–255). */
    public static List<Character> vocabularyOrder() {
        return VOCAB_ORDER;
    }

    /**
     * The words of already-normalised text, each as its bytes' stand-in characters; the special tokens
     * {@code <|startoftext|>} and {@code <|endoftext|>} come out as they are.
     */
    public static List<String> words(String normalised) {
        List<String> words = new ArrayList<>();
        Matcher m = WORDS.matcher(normalised);
        while (m.find()) {
            String word = m.group();
            if (word.equals(BOS) || word.equals(EOS)) {
                words.add(word);
                continue;
            }
            StringBuilder encoded = new StringBuilder();
            for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
                encoded.append(ENCODER[b & 0xff]);
            }
            words.add(encoded.toString());
        }
        return words;
    }

    /** A byte-encoded word's symbols before any merge: one per character, the last with {@code </w>}. */
    public static List<String> initialSymbols(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length() - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(word.length() - 1) + END_OF_WORD);
        return symbols;
    }

    /** Text back from BPE tokens: stand-in characters to their bytes, {@code </w>} to a space between words. */
    public static String decode(List<String> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String token : tokens) {
            boolean endOfWord = token.endsWith(END_OF_WORD);
            String symbols = endOfWord ? token.substring(0, token.length() - END_OF_WORD.length()) : token;
            if (isSpecial(symbols)) {
                bytes.writeBytes(symbols.getBytes(StandardCharsets.UTF_8));
            } else {
                for (int i = 0; i < symbols.length(); i++) {
                    bytes.write(DECODER[symbols.charAt(i)]);
                }
            }
            if (endOfWord) {
                bytes.write(' ');
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).strip();
    }

    public static boolean isSpecial(String word) {
        return word.equals(BOS) || word.equals(EOS);
    }
}
