package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;

/**
 * PyTorch's LayerNorm over the last dimension, ε = 1e-5:
 * y = (x − μ)/√(σ² + ε) ⊙ γ + β, with μ, σ² the mean and biased variance of each row.
 */
final class LayerNorm {

    static final double EPS = 1e-5;

    private LayerNorm() {}

    /**
     * @param x     [N, W], read only
     * @param gamma [W], read only
     * @param beta  [W], read only
     * @return y, [N, W]
     */
    static DMatrixRMaj forward(DMatrixRMaj x, double[] gamma, double[] beta) {
        int n = x.numRows, w = x.numCols;
        DMatrixRMaj y = new DMatrixRMaj(n, w);
        for (int r = 0; r < n; r++) {
            double mean = mean(x, r), inv = 1 / Math.sqrt(variance(x, r, mean) + EPS);
            for (int c = 0; c < w; c++) {
                y.data[r * w + c] = (x.data[r * w + c] - mean) * inv * gamma[c] + beta[c];
            }
        }
        return y;
    }

    /**
     * dγ += Σ_rows dy ⊙ x̂, dβ += Σ_rows dy, and dx = (g − mean(g) − x̂·mean(g ⊙ x̂))/√(σ² + ε) with
     * g = dy ⊙ γ and x̂ the normalised input.
     *
     * @return dx, [N, W]
     */
    static DMatrixRMaj backward(DMatrixRMaj x, double[] gamma, DMatrixRMaj dy, double[] dGamma, double[] dBeta) {
        int n = x.numRows, w = x.numCols;
        DMatrixRMaj dx = new DMatrixRMaj(n, w);
        double[] xhat = new double[w], g = new double[w];
        for (int r = 0; r < n; r++) {
            double mean = mean(x, r), inv = 1 / Math.sqrt(variance(x, r, mean) + EPS);
            double meanG = 0, meanGX = 0;
            for (int c = 0; c < w; c++) {
                double d = dy.data[r * w + c];
                xhat[c] = (x.data[r * w + c] - mean) * inv;
                g[c] = d * gamma[c];
                dGamma[c] += d * xhat[c];
                dBeta[c] += d;
                meanG += g[c] / w;
                meanGX += g[c] * xhat[c] / w;
            }
            for (int c = 0; c < w; c++) dx.data[r * w + c] = (g[c] - meanG - xhat[c] * meanGX) * inv;
        }
        return dx;
    }

    private static double mean(DMatrixRMaj x, int r) {
        double s = 0;
        for (int c = 0; c < x.numCols; c++) s += x.data[r * x.numCols + c];
        return s / x.numCols;
    }

    private static double variance(DMatrixRMaj x, int r, double mean) {
        double s = 0;
        for (int c = 0; c < x.numCols; c++) {
            double d = x.data[r * x.numCols + c] - mean;
            s += d * d;
        }
        return s / x.numCols;
    }
}
