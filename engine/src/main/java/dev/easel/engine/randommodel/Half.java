package dev.easel.engine.randommodel;

/** IEEE 754 binary16 from float, rounding to nearest even (Java 17 has no {@code Float.floatToFloat16}). */
final class Half {

    private Half() {}

    static int fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return sign | 0x7c00 | (mant != 0 ? 0x200 : 0); // inf / nan
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return sign | 0x7c00; // overflow → inf
        }
        if (e <= 0) {
            if (e < -10) {
                return sign; // underflow → ±0
            }
            mant |= 0x800000; // subnormal: shift the implicit bit in
            int shift = 14 - e;
            int half = mant >>> shift;
            int rest = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rest > mid || (rest == mid && (half & 1) != 0)) {
                half++;
            }
            return sign | half;
        }
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is still right (up to inf)
        }
        return sign | half;
    }
}
