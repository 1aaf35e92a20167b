package dev.easel.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE tokenizer, as transformers' {@code CLIPTokenizer} runs it without ftfy: control characters
 * dropped, whitespace collapsed, CJK characters spaced, lower-cased; then the CLIP regex, the byte-to-unicode map
 * and BPE merges from {@code merges.txt}; ids from {@code vocab.json}.
 */
public final class ClipTokenizer {

    private static final String BOS = ByteLevel.BOS;
    private static final String EOS = ByteLevel.EOS;

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> ranks;
    private final Map<String, String> cache = new ConcurrentHashMap<>();
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int unkId;
    private final int maxLength;
    /** Tokens added after the vocabulary (textual inversion): token → the ids it stands for; ids from the vocab size. */
    private volatile Map<String, long[]> added = Map.of();
    /** Every added token with its id: {@code token}, {@code token_1}, …. */
    private volatile Map<String, Long> addedIds = Map.of();

    private ClipTokenizer(
            Map<String, Integer> vocab, List<String> merges, String padToken, String unkToken, int maxLength) {
        this.vocab = vocab;
        this.ranks = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            ranks.put(merges.get(i), i);
        }
        this.bosId = id(BOS);
        this.eosId = id(EOS);
        this.padId = vocab.getOrDefault(padToken, eosId);
        this.unkId = vocab.getOrDefault(unkToken, eosId);
        this.maxLength = maxLength;
    }

    private int id(String token) {
        Integer i = vocab.get(token);
        if (i == null) {
            throw new EngineException("tokenizer vocab.json: missing special token " + token);
        }
        return i;
    }

    /** Loads {@code vocab.json}, {@code merges.txt} and (if present) the special-token files from a folder. */
    public static ClipTokenizer load(Path dir) {
        ObjectMapper json = new ObjectMapper();
        Path vocabFile = dir.resolve("vocab.json");
        Path mergesFile = dir.resolve("merges.txt");
        Map<String, Integer> vocab = new HashMap<>();
        try {
            if (!Files.isRegularFile(vocabFile)) {
                throw new EngineException(vocabFile + ": file not found");
            }
            if (!Files.isRegularFile(mergesFile)) {
                throw new EngineException(mergesFile + ": file not found");
            }
            JsonNode v;
            try {
                v = json.readTree(vocabFile.toFile());
            } catch (JsonProcessingException e) {
                throw new EngineException(vocabFile + ": invalid JSON (" + e.getOriginalMessage() + ")");
            }
            v.fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
            List<String> lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
            List<String> merges = new ArrayList<>();
            // transformers: merges.read().strip().split("\n")[1 : 49152 - 256 - 2 + 1]
            int limit = 49152 - 256 - 2 + 1;
            for (int i = 1; i < lines.size() && i < limit; i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty()) {
                    merges.add(line);
                }
            }
            String pad = EOS;
            String unk = EOS;
            int max = 77;
            for (String f : new String[] {"special_tokens_map.json", "tokenizer_config.json"}) {
                Path p = dir.resolve(f);
                if (Files.isRegularFile(p)) {
                    JsonNode n = json.readTree(p.toFile());
                    pad = token(n.get("pad_token"), pad);
                    unk = token(n.get("unk_token"), unk);
                    if (n.has("model_max_length") && n.get("model_max_length").asLong() < 100_000) {
                        max = n.get("model_max_length").asInt();
                    }
                }
            }
            return new ClipTokenizer(vocab, merges, pad, unk, max);
        } catch (IOException e) {
            throw new EngineException(dir + ": cannot read tokenizer (" + e.getMessage() + ")");
        }
    }

    /** SD 1.x's CLIP ViT-L/14 pads with {@code <|endoftext|>}. */
    public static final String SD1_PAD = EOS;
    /** SD 2.x's OpenCLIP tokenizer (same vocabulary) pads with {@code !}, id 0. */
    public static final String SD2_PAD = "!";

    /** OpenAI's CLIP vocabulary file, shipped inside the jar (MIT licence beside it). */
    private static final String BUNDLED = "bpe_simple_vocab_16e6.txt.gz";

    private static volatile List<String> bundledMerges;

    /**
     * The CLIP tokenizer of SD 1.x and 2.x from the BPE merges shipped in the jar, so a lone single-file checkpoint
     * needs no tokenizer folder. The vocabulary is built as CLIP's {@code SimpleTokenizer} builds it: the 256 byte
     * symbols, the same with {@code </w>}, one token per merge (the file's lines 1 to 48,894), then
     * {@code <|startoftext|>} and {@code <|endoftext|>}: 49,408 ids.
     */
    public static ClipTokenizer bundled(String padToken) {
        List<String> merges = bundledMerges();
        Map<String, Integer> vocab = new HashMap<>();
        for (Character c : ByteLevel.vocabularyOrder()) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        for (Character c : ByteLevel.vocabularyOrder()) {
            vocab.put(c + ByteLevel.END_OF_WORD, vocab.size());
        }
        for (String merge : merges) {
            vocab.put(merge.replace(" ", ""), vocab.size());
        }
        vocab.put(BOS, vocab.size());
        vocab.put(EOS, vocab.size());
        return new ClipTokenizer(vocab, merges, padToken, EOS, 77);
    }

    private static List<String> bundledMerges() {
        List<String> merges = bundledMerges;
        if (merges != null) {
            return merges;
        }
        try (var in = ClipTokenizer.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new EngineException(BUNDLED + ": missing from the jar; rebuild Easel");
            }
            String[] lines = new String(new java.util.zip.GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8)
                    .split("\n");
            // CLIP: merges[1 : 49152 - 256 - 2 + 1] (the first line is a version header)
            merges = List.of(Arrays.copyOfRange(lines, 1, 49152 - 256 - 2 + 1));
        } catch (IOException e) {
            throw new EngineException(BUNDLED + ": cannot read the bundled CLIP vocabulary (" + e.getMessage() + ")");
        }
        bundledMerges = merges;
        return merges;
    }

    /** Number of ids in the vocabulary. */
    public int vocabularySize() {
        return vocab.size();
    }

    private static String token(JsonNode n, String dflt) {
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (n.isObject() && n.has("content")) {
            return n.get("content").asText();
        }
        return n.asText();
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    public int maxLength() {
        return maxLength;
    }

    /**
     * Adds tokens after the vocabulary, replacing earlier added ones: each name in the map stands for that many
     * consecutive new ids, in map order from the vocabulary size on — a multi-vector embedding's
     * {@code token}, {@code token_1}, … as diffusers adds them, the name expanding to all of them as its
     * {@code maybe_convert_prompt} does. Added names are found in the text as written (case-sensitive) before any
     * normalisation, as transformers splits on added tokens first.
     */
    public void setAddedTokens(Map<String, Integer> vectorsPerToken) {
        Map<String, long[]> ids = new java.util.LinkedHashMap<>();
        long next = vocab.size();
        for (Map.Entry<String, Integer> e : vectorsPerToken.entrySet()) {
            long[] group = new long[e.getValue()];
            for (int i = 0; i < group.length; i++) {
                group[i] = next++;
            }
            ids.put(e.getKey(), group);
        }
        Map<String, Long> each = new HashMap<>();
        ids.forEach((token, group) -> {
            for (int i = 0; i < group.length; i++) {
                each.put(i == 0 ? token : token + "_" + i, group[i]);
            }
        });
        addedIds = each;
        added = java.util.Collections.unmodifiableMap(ids);
    }

    /** Whether a token is in the vocabulary or among the added ones. */
    public boolean hasToken(String token) {
        return vocab.containsKey(token) || addedIds.containsKey(token);
    }

    /** BPE tokens of a text (no bos/eos), e.g. {@code ["a</w>", "photo</w>"]}; an added token stays whole. */
    public List<String> tokenize(String text) {
        Map<String, long[]> extra = added;
        if (extra.isEmpty()) {
            return tokenizeVocabulary(text);
        }
        List<String> out = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int at = -1;
            String found = null;
            for (String token : extra.keySet()) {
                int i = text.indexOf(token, from);
                if (i >= 0 && (at < 0 || i < at || i == at && token.length() > found.length())) {
                    at = i;
                    found = token;
                }
            }
            if (found == null) {
                break;
            }
            out.addAll(tokenizeVocabulary(text.substring(from, at)));
            long[] group = extra.get(found);
            for (int i = 0; i < group.length; i++) {
                out.add(i == 0 ? found : found + "_" + i);
            }
            from = at + found.length();
        }
        out.addAll(tokenizeVocabulary(text.substring(from)));
        return out;
    }

    private long idOf(String token) {
        Integer id = vocab.get(token);
        return id != null ? id : addedIds.getOrDefault(token, (long) unkId);
    }

    private List<String> tokenizeVocabulary(String text) {
        List<String> out = new ArrayList<>();
        // special tokens written in the text stay whole (transformers splits on added tokens first)
        for (String word : ByteLevel.words(normalise(text))) {
            if (ByteLevel.isSpecial(word)) {
                out.add(word);
            } else {
                out.addAll(Arrays.asList(bpe(word).split(" ")));
            }
        }
        return out;
    }

    /** bos + ids + eos, untruncated. */
    public long[] encodeFull(String text) {
        List<String> toks = tokenize(text);
        long[] ids = new long[toks.size() + 2];
        ids[0] = bosId;
        for (int i = 0; i < toks.size(); i++) {
            ids[i + 1] = idOf(toks.get(i));
        }
        ids[ids.length - 1] = eosId;
        return ids;
    }

    /** bos + ids + eos truncated to {@code maxLength} (eos kept) and padded with the pad id. */
    public long[] encode(String text) {
        return fit(encodeFull(text));
    }

    /** {@link #encodeFull}'s ids truncated to {@code maxLength} (eos kept) and padded with the pad id. */
    public long[] fit(long[] full) {
        long[] out = new long[maxLength];
        Arrays.fill(out, padId);
        int n = Math.min(full.length - 1, maxLength - 1);
        System.arraycopy(full, 0, out, 0, n);
        out[n] = eosId;
        return out;
    }

    /**
     * The part of {@code text} that {@link #encode} cuts off ({@code maxLength} minus bos and eos tokens fit), as
     * text; empty when all of it fits.
     */
    public String truncatedPart(String text) {
        List<String> tokens = tokenize(text);
        int fits = maxLength - 2;
        return tokens.size() <= fits ? "" : ByteLevel.decode(tokens.subList(fits, tokens.size()));
    }

    /** transformers' BasicTokenizer without accent stripping or punctuation splitting. */
    public static String normalise(String text) {
        StringBuilder clean = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD) {
                return;
            }
            if (cp == ' '
                    || cp == '\t'
                    || cp == '\n'
                    || cp == '\r'
                    || Character.getType(cp) == Character.SPACE_SEPARATOR) {
                clean.append(' ');
                return;
            }
            int type = Character.getType(cp);
            boolean control = type == Character.CONTROL
                    || type == Character.FORMAT
                    || type == Character.UNASSIGNED
                    || type == Character.PRIVATE_USE
                    || type == Character.SURROGATE;
            if (control) {
                return;
            }
            if (isCjk(cp)) {
                clean.append(' ').appendCodePoint(cp).append(' ');
            } else {
                clean.appendCodePoint(cp);
            }
        });
        String[] words = clean.toString().trim().split(" +");
        StringBuilder out = new StringBuilder();
        for (String w : words) {
            if (w.isEmpty()) {
                continue;
            }
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(w.toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    private static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    private String bpe(String token) {
        String cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        List<String> word = ByteLevel.initialSymbols(token);
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String bestA = null;
            String bestB = null;
            for (int i = 0; i < word.size() - 1; i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    bestA = word.get(i);
                    bestB = word.get(i + 1);
                }
            }
            if (bestA == null) {
                break;
            }
            List<String> merged = new ArrayList<>();
            int i = 0;
            while (i < word.size()) {
                if (i < word.size() - 1
                        && word.get(i).equals(bestA)
                        && word.get(i + 1).equals(bestB)) {
                    merged.add(bestA + bestB);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        String result = String.join(" ", word);
        if (cache.size() < 10_000) {
            cache.put(token, result);
        }
        return result;
    }
}
