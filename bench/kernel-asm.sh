#!/usr/bin/env bash
# What C2 makes of a GEMM micro-kernel on this machine: the inner loop of MicroKernels.tile<MR>x2 as
# x86 assembly, and its instruction mix per step p (loads of B, broadcasts of A, FMAs, the rest).
# Needs hsdis (Debian: apt-get install libhsdis0-fcml) and objdump (binutils): the FCML hsdis prints
# JDK 25's code as hex only, so the hex is disassembled with objdump.
#
#   bench/kernel-asm.sh                 # the 12 x 2 kernel at the machine's vector width
#   MR=6 BITS=256 bench/kernel-asm.sh   # the 6 x 2 kernel at 256 bits (-Ddsf4j.vectorBits)
# Writes $OUT/tile<MR>x2.s (the whole compiled method) and prints the loop. About 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
MR=${MR:-12}
BITS=${BITS:-}
OUT=${OUT:-runs/kernel-asm}
HSDIS=${HSDIS:-/usr/lib/x86_64-linux-gnu/libhsdis.so.0}
[ -f "$HSDIS" ] || { echo "kernel-asm: no hsdis at $HSDIS: apt-get install libhsdis0-fcml (or set HSDIS)" >&2; exit 1; }
command -v objdump >/dev/null || { echo "kernel-asm: no objdump: apt-get install binutils" >&2; exit 1; }
./run.sh --version >/dev/null    # builds target/dsf4j.jar when a source is newer
JAVA_BIN=$(./run.sh --print-java-home)/bin      # the JDK 25 run.sh finds
mkdir -p "$OUT/lib" "$OUT/drv/dsf4j/engine/fast"
ln -sf "$HSDIS" "$OUT/lib/hsdis-amd64.so"

# A driver in the kernels' package: one L1-resident tile, called until C2 has compiled it.
cat > "$OUT/drv/dsf4j/engine/fast/KernelAsm.java" <<EOF
package dsf4j.engine.fast;
public class KernelAsm {
    public static void main(String[] args) {
        int kc = 128, nr = 2 * Simd.L;
        float[] pa = new float[kc * $MR], pb = new float[kc * nr], c = new float[$MR * nr];
        for (int i = 0; i < 50_000; i++) MicroKernels.tile($MR, kc, pa, 0, pb, 0, c, 0, nr, i > 0);
    }
}
EOF
"$JAVA_BIN/javac" --add-modules jdk.incubator.vector -nowarn -cp target/dsf4j.jar -d "$OUT/drv" \
  "$OUT/drv/dsf4j/engine/fast/KernelAsm.java" 2>/dev/null
LD_LIBRARY_PATH="$OUT/lib" "$JAVA_BIN/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "target/dsf4j.jar:$OUT/drv" \
  ${BITS:+-Ddsf4j.vectorBits=$BITS} -XX:+UnlockDiagnosticVMOptions \
  -XX:CompileCommand=quiet -XX:CompileCommand=print,dsf4j.engine.fast.MicroKernels::tile${MR}x2 \
  dsf4j.engine.fast.KernelAsm > "$OUT/print.txt" 2>&1

# The last C2 (not OSR) compilation's hex, disassembled at its own addresses.
python3 - "$OUT/print.txt" "$OUT/code.bin" > "$OUT/vma" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
c2 = [m.start() for m in re.finditer(r'Compiled method \(c2\)\s+\d+\s+\d+\s+4 ', text)]
if not c2: sys.exit("kernel-asm: C2 did not compile the kernel (no 'Compiled method (c2)' in the output)")
code, start = bytearray(), None
for line in text[c2[-1]:].split('\n[Stub Code]')[0].splitlines():
    m = re.match(r'\s*0x([0-9a-f]+): ((?:[0-9a-f]{2,8} ?\|? ?)+)$', line)
    if m:    # each line's bytes go at its own address (comment lines interrupt the dump)
        addr = int(m.group(1), 16)
        start = start if start is not None else addr
        chunk = bytes.fromhex(m.group(2).replace('|', '').replace(' ', ''))
        code.extend(b'\x00' * max(0, addr - start - len(code)))
        code[addr - start:addr - start + len(chunk)] = chunk
open(sys.argv[2], 'wb').write(code)
print(hex(start))
PY
objdump -D -b binary -mi386:x86-64 -M intel --adjust-vma="$(cat "$OUT/vma")" "$OUT/code.bin" \
  | awk -F'\t' 'NF >= 3 {sub(/:$/, "", $1); gsub(/^ +| +$/, "", $1); gsub(/ +/, " ", $3); print $1 "\t" $3}' \
  > "$OUT/tile${MR}x2.s"

# The innermost loop: of the backward jumps, the one with the most FMAs between its target and itself.
python3 - "$OUT/tile${MR}x2.s" "$MR" <<'PY'
import re, sys
code = [(int(a, 16), ins) for a, ins in (l.rstrip('\n').split('\t', 1) for l in open(sys.argv[1]))]
best = None
for i, (addr, ins) in enumerate(code):
    m = re.match(r'j\w+ 0x([0-9a-f]+)$', ins)
    if m and int(m.group(1), 16) < addr:
        body = [x for a, x in code[:i + 1] if a >= int(m.group(1), 16)]
        fmas = sum(x.startswith('vfmadd') for x in body)
        if best is None or fmas > best[0]: best = (fmas, body)
if best is None or best[0] == 0: sys.exit("kernel-asm: no loop with FMAs found")
fmas, body = best
kinds = {'FMAs': lambda x: x.startswith('vfmadd'),
         'broadcasts of A from memory': lambda x: x.startswith('vbroadcastss') and '[' in x,
         'broadcasts of A from a register (a shuffle uop)': lambda x: x.startswith('vbroadcastss') and '[' not in x,
         'vector loads of B': lambda x: x.startswith('vmovups') and x.split(',', 1)[1].strip().find('[') >= 0,
         'vector spills or reloads on the stack': lambda x: x.startswith('vmov') and 'rsp' in x}
bits = {'zmm': 512, 'ymm': 256, 'xmm': 128}[next(x for x in body if x.startswith('vfmadd')).split()[1][:3]]
print(f"tile {sys.argv[2]} x 2 vectors of {bits} bits: the inner loop, {len(body)} instructions")
for l in body: print("   ", l)
rest = len(body)
for name, test in kinds.items():
    n = sum(map(test, body)); rest -= n; print(f"{n:4d} {name}")
print(f"{rest:4d} other (index arithmetic, loop control)")
PY
