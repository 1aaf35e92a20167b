package dev.easel.engine.weights;

import dev.easel.engine.EngineException;
import dev.easel.engine.weights.RestrictedUnpickler.StorageRef;
import dev.easel.engine.weights.RestrictedUnpickler.TorchTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A PyTorch checkpoint as {@code torch.save} writes it since PyTorch 1.6 — a zip holding {@code <name>/data.pkl}
 * (the pickled object), {@code <name>/data/<key>} (one uncompressed file per storage) and {@code <name>/version} —
 * opened without running anything: the pickle goes through {@link RestrictedUnpickler}, which refuses every global
 * that is not a tensor, a storage type or an OrderedDict.
 *
 * <p>The tensors are those of {@code obj["state_dict"]} when the object has one (Lightning / original SD
 * checkpoints: {@code {"state_dict", "global_step", "epoch"}}), else of the object itself; entries that are neither
 * tensors nor dicts (numbers, strings, lists) are ignored. Nested dicts are flattened to dotted names, as
 * {@code state_dict()} names a module's submodules: A1111's embedding
 * {@code {"string_to_param": {"*": t}, "name": …}} has the one tensor {@code string_to_param.*}. Each tensor is
 * checked on opening against its storage (offset + extent within the storage, storage within its zip
 * entry, C-contiguous strides) and read lazily from the zip entry at its offset.
 */
public final class TorchCheckpoint extends IndexedTensorFile {

    private static final long MAX_PICKLE = 256L << 20;
    /** Deeper than any real checkpoint nests its dicts; a pickle may nest them without end. */
    private static final int MAX_DEPTH = 32;

    private final OptionalLong globalStep;

    private TorchCheckpoint(Path file, FileChannel channel, Map<String, Located> tensors, OptionalLong globalStep) {
        super(file, channel, tensors);
        this.globalStep = globalStep;
    }

    @Override
    public OptionalLong globalStep() {
        return globalStep;
    }

    /** The error for a pre-1.6 (non-zip) {@code torch.save} file. */
    static EngineException legacy(Path file) {
        return new EngineException(
                file + ": a legacy (pre-PyTorch-1.6, non-zip) checkpoint, which Easel does not"
                        + " read; re-save it in a current PyTorch (torch.save(torch.load(f), f)) or convert it to .safetensors");
    }

    public static TorchCheckpoint open(Path file) {
        FileChannel ch = openChannel(file);
        try {
            if (ch.size() >= 2) {
                ByteBuffer head = ZipDirectory.read(ch, 0, 2);
                if ((head.get(0) & 0xff) == 0x80 && head.get(1) >= 2 && head.get(1) <= 5) {
                    throw legacy(file);
                }
            }
            Map<String, ZipDirectory.Entry> zip = ZipDirectory.read(file, ch);
            ZipDirectory.Entry pkl = zip.values().stream()
                    .filter(e -> e.name().endsWith("data.pkl")
                            && e.name().indexOf('/') == e.name().lastIndexOf('/'))
                    .findFirst()
                    .orElseThrow(
                            () -> new EngineException(file + ": not a PyTorch checkpoint (no data.pkl in the zip)"));
            String prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
            ZipDirectory.Entry order = zip.get(prefix + "byteorder");
            if (order != null
                    && !"little"
                            .equals(new String(stored(file, ch, order, 16).array(), StandardCharsets.US_ASCII)
                                    .trim())) {
                throw new EngineException(file + ": a big-endian checkpoint, which Easel does not read");
            }
            if (pkl.size() > MAX_PICKLE) {
                throw new EngineException(file + ": corrupt checkpoint (data.pkl claims " + pkl.size() + " bytes)");
            }
            Object root = RestrictedUnpickler.load(
                    file + ": " + pkl.name(),
                    stored(file, ch, pkl, (int) pkl.size()).array());
            Map<String, Located> tensors = tensors(file, zip, prefix, namedTensors(file, root));
            if (tensors.isEmpty()) {
                throw new EngineException(file + ": no tensors in the checkpoint (expected a state dict)");
            }
            OptionalLong step = root instanceof Map<?, ?> m && m.get("global_step") instanceof Long l
                    ? OptionalLong.of(l)
                    : OptionalLong.empty();
            return new TorchCheckpoint(file, ch, tensors, step);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new EngineException(file + ": cannot read (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** The tensors of {@code root["state_dict"]}, or of {@code root}, by their dotted names. */
    private static Map<String, TorchTensor> namedTensors(Path file, Object root) {
        Map<String, TorchTensor> named = new LinkedHashMap<>();
        if (root instanceof Map<?, ?> m) {
            flatten(
                    file,
                    "",
                    m.get("state_dict") instanceof Map<?, ?> sd ? sd : m,
                    0,
                    Collections.newSetFromMap(new IdentityHashMap<>()),
                    named);
        }
        return named;
    }

    /**
     * Adds the tensors of {@code dict} and of the dicts inside it under {@code prefix + key}. Each dict is walked
     * once: a pickle can make a dict hold itself, or the same dict under many keys many levels deep (its memo
     * shares objects), which a plain walk would follow without end.
     */
    private static void flatten(
            Path file, String prefix, Map<?, ?> dict, int depth, Set<Map<?, ?>> seen, Map<String, TorchTensor> named) {
        if (depth > MAX_DEPTH) {
            throw new EngineException(file + ": corrupt checkpoint (dicts nested more than " + MAX_DEPTH + " deep)");
        }
        if (!seen.add(dict)) {
            return;
        }
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                continue;
            }
            String name = prefix + key;
            if (e.getValue() instanceof TorchTensor t) {
                if (named.putIfAbsent(name, t) != null) {
                    throw new EngineException(file + ": corrupt checkpoint (two tensors are named " + name + ")");
                }
            } else if (e.getValue() instanceof Map<?, ?> inner) {
                flatten(file, name + ".", inner, depth + 1, seen, named);
            }
        }
    }

    private static Map<String, Located> tensors(
            Path file, Map<String, ZipDirectory.Entry> zip, String prefix, Map<String, TorchTensor> named) {
        Map<String, Located> result = new LinkedHashMap<>();
        for (Map.Entry<String, TorchTensor> e : named.entrySet()) {
            String name = e.getKey();
            TorchTensor t = e.getValue();
            StorageRef s = t.storage();
            int width = TensorReader.byteWidth(s.dtype());
            ZipDirectory.Entry data = zip.get(prefix + "data/" + s.key());
            if (data == null) {
                throw new EngineException(file + ": corrupt checkpoint (tensor " + name + " names storage " + s.key()
                        + ", which is not in the zip)");
            }
            if (data.method() != 0 || data.compressedSize() != data.size()) {
                throw new EngineException(file + ": storage " + s.key() + " is compressed; torch.save stores them"
                        + " uncompressed (re-save the checkpoint with torch.save)");
            }
            long storageBytes = SafeTensors.numel(new long[] {s.numel()}, width);
            if (storageBytes < 0 || storageBytes > data.size()) {
                throw new EngineException(file + ": truncated checkpoint (storage " + s.key() + " of tensor " + name
                        + " claims " + s.numel() + " elements, its entry has " + data.size() + " bytes)");
            }
            long[] shape = t.shape();
            if (shape.length != t.stride().length) {
                throw new EngineException(
                        file + ": corrupt checkpoint (tensor " + name + " size and stride differ" + " in length)");
            }
            long numel = SafeTensors.numel(shape, 1);
            long bytes = SafeTensors.numel(shape, width);
            if (numel < 0 || bytes < 0) {
                throw new EngineException(file + ": corrupt checkpoint (tensor " + name + " shape overflows)");
            }
            long expected = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                if (shape[i] != 1 && t.stride()[i] != expected) {
                    throw new EngineException(file + ": tensor " + name + " is not contiguous (stride "
                            + java.util.Arrays.toString(t.stride()) + "); re-save it with .contiguous()");
                }
                expected *= shape[i];
            }
            if (numel > 0 && (t.offset() > s.numel() || t.offset() + numel > s.numel())) {
                throw new EngineException(file + ": corrupt checkpoint (tensor " + name + " reaches past its storage:"
                        + " offset " + t.offset() + " + " + numel + " elements > " + s.numel() + ")");
            }
            result.put(name, new Located(s.dtype(), shape, data.dataStart() + t.offset() * width, bytes));
        }
        return result;
    }

    private static ByteBuffer stored(Path file, FileChannel ch, ZipDirectory.Entry e, int max) throws IOException {
        if (e.method() != 0) {
            throw new EngineException(file + ": " + e.name() + " is compressed; torch.save stores it uncompressed");
        }
        return ZipDirectory.read(ch, e.dataStart(), (int) Math.min(max, e.size()));
    }
}
