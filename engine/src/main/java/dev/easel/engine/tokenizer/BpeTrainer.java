package dev.easel.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns a CLIP-style byte-level BPE vocabulary from a text corpus (Sennrich et al.'s algorithm): start from one
 * symbol per byte, repeatedly merge the most frequent adjacent pair, stop when every word is one symbol or the merge
 * budget is spent. The result is written as {@code vocab.json} + {@code merges.txt} laid out exactly as CLIP's
 * (256 bytes, 256 bytes with {@code </w>}, the merges, then the start and end tokens), so {@link ClipTokenizer} and
 * transformers' {@code CLIPTokenizer} both read it.
 */
public final class BpeTrainer {

    /** A learned vocabulary: the merges in the order they were learned. */
    public record Vocabulary(List<String> merges) {

        /** Token → id, in CLIP's layout. */
        public Map<String, Integer> ids() {
            Map<String, Integer> ids = new LinkedHashMap<>();
            for (char symbol : ByteLevel.vocabularyOrder()) {
                ids.put(String.valueOf(symbol), ids.size());
            }
            for (char symbol : ByteLevel.vocabularyOrder()) {
                ids.put(symbol + ByteLevel.END_OF_WORD, ids.size());
            }
            for (String merge : merges) {
                ids.putIfAbsent(merge.replace(" ", ""), ids.size());
            }
            ids.put(ByteLevel.BOS, ids.size());
            ids.put(ByteLevel.EOS, ids.size());
            return ids;
        }

        /** Writes {@code vocab.json}, {@code merges.txt} and the special-token files a CLIP tokenizer folder has. */
        public void write(Path folder) {
            ObjectMapper json = new ObjectMapper();
            try {
                Files.createDirectories(folder);
                Files.writeString(folder.resolve("vocab.json"), json.writeValueAsString(ids()), StandardCharsets.UTF_8);
                List<String> lines = new ArrayList<>(List.of("#version: 0.2"));
                lines.addAll(merges);
                Files.write(folder.resolve("merges.txt"), lines, StandardCharsets.UTF_8);
                ObjectNode special = json.createObjectNode();
                special.put("bos_token", ByteLevel.BOS);
                special.put("eos_token", ByteLevel.EOS);
                special.put("pad_token", ByteLevel.EOS);
                special.put("unk_token", ByteLevel.EOS);
                json.writerWithDefaultPrettyPrinter()
                        .writeValue(folder.resolve("special_tokens_map.json").toFile(), special);
                ObjectNode config = special.deepCopy();
                config.put("model_max_length", 77);
                config.put("tokenizer_class", "CLIPTokenizer");
                config.put("do_lower_case", true);
                json.writerWithDefaultPrettyPrinter()
                        .writeValue(folder.resolve("tokenizer_config.json").toFile(), config);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the tokenizer to " + folder + ": " + e.getMessage(), e);
            }
        }
    }

    private BpeTrainer() {}

    /** Learns at most {@code maxMerges} merges from {@code texts}. Deterministic: ties go to the smaller pair. */
    public static Vocabulary train(Iterable<String> texts, int maxMerges) {
        Map<String, Integer> wordCounts = new TreeMap<>();
        for (String text : texts) {
            for (String word : ByteLevel.words(ClipTokenizer.normalise(text))) {
                if (!ByteLevel.isSpecial(word)) {
                    wordCounts.merge(word, 1, Integer::sum);
                }
            }
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        wordCounts.forEach((word, count) -> {
            words.add(ByteLevel.initialSymbols(word));
            counts.add(count);
        });
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Map<String, Integer> pairCounts = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> symbols = words.get(w);
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    pairCounts.merge(symbols.get(i) + " " + symbols.get(i + 1), counts.get(w), Integer::sum);
                }
            }
            String best = null;
            int bestCount = 0;
            for (Map.Entry<String, Integer> pair : pairCounts.entrySet()) {
                int count = pair.getValue();
                if (count > bestCount || count == bestCount && pair.getKey().compareTo(best) < 0) {
                    best = pair.getKey();
                    bestCount = count;
                }
            }
            if (best == null) {
                break; // every word is a single symbol
            }
            merges.add(best);
            String left = best.substring(0, best.indexOf(' '));
            String right = best.substring(best.indexOf(' ') + 1);
            for (List<String> symbols : words) {
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    if (symbols.get(i).equals(left) && symbols.get(i + 1).equals(right)) {
                        symbols.set(i, left + right);
                        symbols.remove(i + 1);
                    }
                }
            }
        }
        return new Vocabulary(merges);
    }
}
