package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * PyTorch's LayerNorm over rows of width W, ε = 1e-5: y = (x − μ)·r ⊙ γ + β, r = 1/√(σ² + ε), with μ
 * and σ² the mean and biased variance of the row. The forward keeps μ and r per row for the backward.
 */
final class LayerNormKernel {

    static final float EPS = 1e-5f;

    private LayerNormKernel() {}

    /**
     * @param x     [rows, w], read only
     * @param y     [rows, w], output
     * @param stats [rows, 2] output: μ, r per row
     */
    static void forward(int rows, int w, float[] x, float[] gamma, float[] beta, float[] y, float[] stats) {
        int vb = Simd.bound(w);
        for (int row = 0; row < rows; row++) {
            int o = row * w;
            float mean = sum(x, o, w) / w;
            float var = 0;
            int j = 0;
            if (vb > 0) {
                FloatVector acc = FloatVector.zero(F);
                for (; j < vb; j += L) {
                    FloatVector c = FloatVector.fromArray(F, x, o + j).sub(mean);
                    acc = c.fma(c, acc);
                }
                var = VectorMath.sumLanes(acc);
            }
            for (; j < w; j++) {
                float c = x[o + j] - mean;
                var += c * c;
            }
            float r = (float) (1 / Math.sqrt(var / w + EPS));
            stats[2 * row] = mean;
            stats[2 * row + 1] = r;
            for (j = 0; j < vb; j += L) {
                FloatVector.fromArray(F, x, o + j).sub(mean).mul(r).fma(FloatVector.fromArray(F, gamma, j), FloatVector.fromArray(F, beta, j)).intoArray(y, o + j);
            }
            for (; j < w; j++) y[o + j] = (x[o + j] - mean) * r * gamma[j] + beta[j];
        }
    }

    /**
     * dγ += Σ_rows dy ⊙ x̂, dβ += Σ_rows dy (rows in order), and
     * dx = (g − mean(g) − x̂·mean(g ⊙ x̂))·r with g = dy ⊙ γ.
     *
     * @param dx output [rows, w]; may be dy
     * @param xhat scratch, [w]
     */
    static void backward(int rows, int w, float[] x, float[] stats, float[] gamma, float[] dy, float[] dx,
                         float[] dGamma, float[] dBeta, float[] xhat) {
        for (int row = 0; row < rows; row++) {
            int o = row * w;
            float mean = stats[2 * row], r = stats[2 * row + 1];
            float sumG = 0, sumGX = 0;
            for (int j = 0; j < w; j++) {
                float xh = (x[o + j] - mean) * r, dyj = dy[o + j], gj = dyj * gamma[j];
                xhat[j] = xh;
                dGamma[j] += dyj * xh;
                dBeta[j] += dyj;
                sumG += gj;
                sumGX += gj * xh;
            }
            float meanG = sumG / w, meanGX = sumGX / w;
            for (int j = 0; j < w; j++) dx[o + j] = (dy[o + j] * gamma[j] - meanG - xhat[j] * meanGX) * r;
        }
    }

    private static float sum(float[] x, int o, int w) {
        int j = 0, vb = Simd.bound(w);
        float s = 0;
        if (vb > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; j < vb; j += L) acc = acc.add(FloatVector.fromArray(F, x, o + j));
            s = VectorMath.sumLanes(acc);
        }
        for (; j < w; j++) s += x[o + j];
        return s;
    }
}
