package dev.easel.engine.weights;

import dev.easel.engine.EngineException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that only builds what a PyTorch state dict is made of, so a checkpoint can be opened without
 * trusting it. Python's unpickler imports and calls any global a file names (which is how a pickle runs a shell
 * command); this one knows a fixed list of globals and refuses every other one by name before anything is built.
 * It never calls code either way: the allowed globals are interpreted here, not looked up.
 *
 * <p>Values: dicts → {@link LinkedHashMap}, lists → {@link ArrayList}, tuples → {@link Tuple}, ints → {@link Long}
 * (or {@link BigInteger}), floats → {@link Double}, strings, bytes → {@code byte[]}, None → {@code null}, tensors →
 * {@link TorchTensor}. Opcodes of protocols 0–2 that build data, plus the protocol 4 framing and short forms that a
 * {@code torch.save(..., pickle_protocol=4)} file uses; object-construction opcodes (INST, OBJ, NEWOBJ, BUILD, EXT)
 * are refused.
 */
final class RestrictedUnpickler {

    /** A Python tuple. */
    record Tuple(List<Object> items) {}

    /** A storage named by a persistent id: its safetensors dtype, its key (file {@code data/<key>}) and length. */
    record StorageRef(String dtype, String key, long numel) {}

    /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)}. */
    record TorchTensor(StorageRef storage, long offset, long[] shape, long[] stride) {}

    /** A global the pickle may name (only those in {@link #STORAGES} or {@link #CALLABLES}). */
    private record Global(String name) {}

    static final Map<String, String> STORAGES = Map.ofEntries(
            Map.entry("torch.FloatStorage", "F32"), Map.entry("torch.HalfStorage", "F16"),
            Map.entry("torch.BFloat16Storage", "BF16"), Map.entry("torch.DoubleStorage", "F64"),
            Map.entry("torch.LongStorage", "I64"), Map.entry("torch.IntStorage", "I32"),
            Map.entry("torch.ShortStorage", "I16"), Map.entry("torch.CharStorage", "I8"),
            Map.entry("torch.ByteStorage", "U8"), Map.entry("torch.BoolStorage", "BOOL"));

    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final Set<String> CALLABLES = Set.of(REBUILD_TENSOR, REBUILD_PARAMETER, ORDERED_DICT);

    private final String source;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(String source, byte[] pickle) {
        this.source = source;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Unpickles {@code pickle}; {@code source} names it in errors ({@code file: data.pkl}). */
    static Object load(String source, byte[] pickle) {
        try {
            return new RestrictedUnpickler(source, pickle).run();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new EngineException(source + ": corrupt pickle (truncated)");
        }
    }

    private Object run() {
        while (true) {
            int at = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80:
                    in.get();
                    break; // PROTO
                case 0x95:
                    in.getLong();
                    break; // FRAME
                case '.':
                    return pop(); // STOP
                case '(':
                    marks.push(stack.size());
                    break; // MARK
                case '}':
                    push(new LinkedHashMap<>());
                    break; // EMPTY_DICT
                case ']':
                    push(new ArrayList<>());
                    break; // EMPTY_LIST
                case ')':
                    push(new Tuple(List.of()));
                    break; // EMPTY_TUPLE
                case 't':
                    push(new Tuple(popMark()));
                    break; // TUPLE
                case 0x85:
                    push(tuple(1));
                    break; // TUPLE1
                case 0x86:
                    push(tuple(2));
                    break; // TUPLE2
                case 0x87:
                    push(tuple(3));
                    break; // TUPLE3
                case 'l':
                    push(new ArrayList<>(popMark()));
                    break; // LIST
                case 'd':
                    push(dict(popMark()));
                    break; // DICT
                case 'N':
                    push(null);
                    break; // NONE
                case 0x88:
                    push(Boolean.TRUE);
                    break; // NEWTRUE
                case 0x89:
                    push(Boolean.FALSE);
                    break; // NEWFALSE
                case 'K':
                    push((long) (in.get() & 0xff));
                    break; // BININT1
                case 'M':
                    push((long) (in.getShort() & 0xffff));
                    break; // BININT2
                case 'J':
                    push((long) in.getInt());
                    break; // BININT
                case 0x8a:
                    push(long1(in.get() & 0xff));
                    break; // LONG1
                case 'G':
                    push(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                    in.order(ByteOrder.LITTLE_ENDIAN);
                    break;
                case 'X':
                    push(string(in.getInt() & 0xffffffffL));
                    break; // BINUNICODE
                case 0x8c:
                    push(string(in.get() & 0xff));
                    break; // SHORT_BINUNICODE
                case 0x8d:
                    push(string(in.getLong()));
                    break; // BINUNICODE8
                case 'T':
                    push(latin1(in.getInt() & 0xffffffffL));
                    break; // BINSTRING
                case 'U':
                    push(latin1(in.get() & 0xff));
                    break; // SHORT_BINSTRING
                case 'B':
                    push(bytes(in.getInt() & 0xffffffffL));
                    break; // BINBYTES
                case 'C':
                    push(bytes(in.get() & 0xff));
                    break; // SHORT_BINBYTES
                case 'q':
                    memo.put((long) (in.get() & 0xff), peek());
                    break; // BINPUT
                case 'r':
                    memo.put(in.getInt() & 0xffffffffL, peek());
                    break; // LONG_BINPUT
                case 0x94:
                    memo.put((long) memo.size(), peek());
                    break; // MEMOIZE
                case 'h':
                    push(memo(in.get() & 0xff));
                    break; // BINGET
                case 'j':
                    push(memo(in.getInt() & 0xffffffffL));
                    break; // LONG_BINGET
                case 'c':
                    push(global(line() + "." + line()));
                    break; // GLOBAL
                case 0x93: { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) {
                        throw corrupt("STACK_GLOBAL without names", at);
                    }
                    push(global(module + "." + name));
                    break;
                }
                case 'R': { // REDUCE
                    Object args = pop();
                    push(reduce(pop(), args, at));
                    break;
                }
                case 'Q':
                    push(persistent(pop(), at));
                    break; // BINPERSID
                case 'a': { // APPEND
                    Object v = pop();
                    list(peek(), at).add(v);
                    break;
                }
                case 'e': { // APPENDS
                    List<Object> items = popMark();
                    list(peek(), at).addAll(items);
                    break;
                }
                case 's': { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    map(peek(), at).put(k, v);
                    break;
                }
                case 'u': { // SETITEMS
                    List<Object> items = popMark();
                    if (items.size() % 2 != 0) {
                        throw corrupt("odd SETITEMS", at);
                    }
                    Map<Object, Object> m = map(peek(), at);
                    for (int i = 0; i < items.size(); i += 2) {
                        m.put(items.get(i), items.get(i + 1));
                    }
                    break;
                }
                case '0':
                    pop();
                    break; // POP
                case '2':
                    push(peek());
                    break; // DUP
                case '1':
                    popMark();
                    break; // POP_MARK
                default:
                    throw new EngineException(source + ": unsupported pickle opcode 0x" + Integer.toHexString(op)
                            + " at byte " + at + " (only plain data and tensors are read from checkpoints)");
            }
        }
    }

    private Object global(String name) {
        if (!STORAGES.containsKey(name) && !CALLABLES.contains(name)) {
            throw new EngineException(source + ": refused to load global " + name + " (a checkpoint may only hold"
                    + " tensors, storages and plain data; anything else could run code — if you trust the file,"
                    + " convert it to .safetensors)");
        }
        return new Global(name);
    }

    private Object reduce(Object callable, Object args, int at) {
        if (!(callable instanceof Global g) || !CALLABLES.contains(g.name())) {
            throw new EngineException(source + ": refused to call " + describe(callable) + " at byte " + at);
        }
        if (!(args instanceof Tuple t)) {
            throw corrupt("REDUCE without an argument tuple", at);
        }
        List<Object> a = t.items();
        switch (g.name()) {
            case ORDERED_DICT:
                if (!a.isEmpty()) {
                    throw corrupt("OrderedDict with arguments", at);
                }
                return new LinkedHashMap<>();
            case REBUILD_PARAMETER:
                if (a.isEmpty() || !(a.get(0) instanceof TorchTensor)) {
                    throw corrupt("_rebuild_parameter without a tensor", at);
                }
                return a.get(0);
            default: // REBUILD_TENSOR(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (a.size() < 4 || !(a.get(0) instanceof StorageRef s) || !(a.get(1) instanceof Long offset)) {
                    throw corrupt("bad _rebuild_tensor_v2 arguments", at);
                }
                return new TorchTensor(s, offset, longs(a.get(2), at), longs(a.get(3), at));
        }
    }

    /** {@code ('storage', torch.XStorage, key, location, numel)}, as {@code torch.save} writes it. */
    private Object persistent(Object pid, int at) {
        if (!(pid instanceof Tuple t)
                || t.items().size() != 5
                || !"storage".equals(t.items().get(0))
                || !(t.items().get(1) instanceof Global g)
                || !STORAGES.containsKey(g.name())
                || !(t.items().get(2) instanceof String key)
                || !(t.items().get(4) instanceof Long numel)
                || numel < 0) {
            throw corrupt("unknown persistent id " + describe(pid), at);
        }
        if (!key.matches("[0-9A-Za-z_]{1,64}")) {
            throw corrupt("bad storage key", at);
        }
        return new StorageRef(STORAGES.get(g.name()), key, numel);
    }

    private long[] longs(Object o, int at) {
        if (!(o instanceof Tuple t)) {
            throw corrupt("tensor size/stride is not a tuple", at);
        }
        long[] r = new long[t.items().size()];
        for (int i = 0; i < r.length; i++) {
            if (!(t.items().get(i) instanceof Long v) || v < 0) {
                throw corrupt("bad tensor size/stride " + describe(o), at);
            }
            r[i] = v;
        }
        return r;
    }

    private static String describe(Object o) {
        if (o instanceof Global g) {
            return g.name();
        }
        String s = o instanceof Tuple t ? t.items().toString() : String.valueOf(o);
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    private Tuple tuple(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return new Tuple(Arrays.asList(items));
    }

    private Map<Object, Object> dict(List<Object> items) {
        if (items.size() % 2 != 0) {
            throw corrupt("odd DICT", in.position());
        }
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            m.put(items.get(i), items.get(i + 1));
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int at) {
        if (!(o instanceof ArrayList)) {
            throw corrupt("APPEND to a non-list", at);
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object o, int at) {
        if (!(o instanceof LinkedHashMap)) {
            throw corrupt("SETITEM on a non-dict", at);
        }
        return (Map<Object, Object>) o;
    }

    private Object long1(int n) {
        byte[] le = new byte[n];
        in.get(le);
        byte[] be = new byte[Math.max(n, 1)];
        for (int i = 0; i < n; i++) {
            be[n - 1 - i] = le[i];
        }
        BigInteger v = n == 0 ? BigInteger.ZERO : new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private byte[] bytes(long n) {
        if (n < 0 || n > in.remaining()) {
            throw corrupt("string longer than the pickle", in.position());
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private String string(long n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(long n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private String line() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            byte b = in.get();
            if (b == '\n') {
                return sb.toString();
            }
            if (sb.length() > 256) {
                throw corrupt("global name too long", in.position());
            }
            sb.append((char) (b & 0xff));
        }
    }

    private Object memo(long index) {
        if (!memo.containsKey(index)) {
            throw corrupt("memo " + index + " read before it was written", in.position());
        }
        return memo.get(index);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw corrupt("stack underflow", in.position());
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop() {
        Object o = peek();
        stack.remove(stack.size() - 1);
        if (!marks.isEmpty() && marks.peek() > stack.size()) {
            throw corrupt("stack underflow below a mark", in.position());
        }
        return o;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw corrupt("no MARK", in.position());
        }
        int from = marks.pop();
        List<Object> sub = stack.subList(from, stack.size());
        List<Object> items = new ArrayList<>(sub);
        sub.clear();
        return items;
    }

    private EngineException corrupt(String what, int at) {
        return new EngineException(source + ": corrupt pickle (" + what + " at byte " + at + ")");
    }
}
