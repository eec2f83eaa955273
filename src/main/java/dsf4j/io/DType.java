package dsf4j.io;

/**
 * The element types of the safetensors format, by the names its header uses. dsf4j reads and writes
 * F64, F32, I64 and I32; the others are recognised (their sizes are known, so a file holding them
 * still validates) but reading their values is refused with a clear error.
 */
public enum DType {
    F64(8, true), F32(4, true), I64(8, true), I32(4, true),
    F16(2, false), BF16(2, false), F8_E4M3(1, false), F8_E5M2(1, false),
    I16(2, false), I8(1, false), U8(1, false), U16(2, false), U32(4, false), U64(8, false), BOOL(1, false);

    /** Bytes per element. */
    public final int size;
    /** Whether dsf4j can read and write this type's values. */
    public final boolean supported;

    DType(int size, boolean supported) {
        this.size = size;
        this.supported = supported;
    }

    /** The dtype of a header string such as {@code "F32"}, or null when the format has no such type. */
    static DType byName(String s) {
        for (DType d : values()) if (d.name().equals(s)) return d;
        return null;
    }
}
