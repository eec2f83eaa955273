package dsf4j.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.data.Batching;
import dsf4j.data.DataMode;


/**
 * A {@link TrainConfig} as the JSON of a checkpoint's {@code train} metadata entry: snake_case keys,
 * values as the flags spell them ({@code "cell": "gru"}, {@code "schedule": "step:10,20:0.1"}).
 * The model config has its own entry ({@link dsf4j.config.ConfigJson}).
 */
public final class TrainConfigJson {

    private TrainConfigJson() {}

    public static String toJson(TrainConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("data", c.data());
        o.addProperty("cell", c.cell().id());
        o.addProperty("block", c.block().id());
        o.addProperty("layers", c.layers());
        o.addProperty("hidden", c.hidden());
        o.addProperty("lambda_init", c.lambdaInit().toString());
        o.addProperty("method", c.method().id());
        o.addProperty("dsf_solver", c.dsfSolver().id());
        o.addProperty("seq", c.seq());
        o.addProperty("batch", c.batch());
        o.addProperty("epochs", c.epochs());
        o.addProperty("max_steps", c.maxSteps());
        o.addProperty("lr", c.lr());
        o.addProperty("optimizer", c.optimizer().id());
        o.addProperty("weight_decay", c.weightDecay());
        o.addProperty("schedule", c.schedule());
        o.addProperty("clip", c.clip());
        o.addProperty("seed", c.seed());
        o.addProperty("threads", c.threads());
        o.addProperty("eval_every", c.evalEvery());
        o.addProperty("engine", c.engine());
        o.addProperty("data_mode", c.dataMode().id());
        o.addProperty("batching", c.batching().id());
        o.addProperty("lambda_update", c.lambdaUpdate());
        o.addProperty("lambda_max", c.lambdaMax());
        o.addProperty("log_alignment", c.logAlignment());
        return o.toString();
    }

    public static TrainConfig fromJson(String json) {
        JsonObject o = object(json, "train");
        return new TrainConfig(str(o, "data"), CellType.parse(str(o, "cell")), BlockType.parse(str(o, "block")), num(o, "layers").intValue(),
                num(o, "hidden").intValue(), LambdaInit.parse(str(o, "lambda_init")), Method.parse(str(o, "method")),
                DsfSolver.parse(str(o, "dsf_solver")), num(o, "seq").intValue(), num(o, "batch").intValue(), num(o, "epochs").intValue(),
                num(o, "max_steps").longValue(), num(o, "lr").doubleValue(), OptimizerKind.parse(str(o, "optimizer")),
                num(o, "weight_decay").doubleValue(), str(o, "schedule"), num(o, "clip").doubleValue(), num(o, "seed").longValue(),
                num(o, "threads").intValue(), num(o, "eval_every").intValue(), str(o, "engine"),
                o.has("data_mode") ? DataMode.parse(str(o, "data_mode")) : DataMode.defaultFor(str(o, "data")),
                batching(o),
                o.has("lambda_update") ? num(o, "lambda_update").intValue() : 0,                      // checkpoints from before adaptive λ
                o.has("lambda_max") ? num(o, "lambda_max").doubleValue() : TrainConfig.DEFAULT_LAMBDA_MAX,
                o.has("log_alignment") ? num(o, "log_alignment").intValue() : 0);
    }

    /** A checkpoint written before --batching existed was trained on sentence buckets of 50 batches. */
    private static Batching batching(JsonObject o) {
        if (o.has("batching")) return Batching.parse(str(o, "batching"));
        boolean sentences = (o.has("data_mode") ? DataMode.parse(str(o, "data_mode")) : DataMode.defaultFor(str(o, "data"))) == DataMode.SENTENCES;
        return sentences ? Batching.bucket(Batching.DEFAULT_BUCKET_BATCHES) : Batching.RANDOM;
    }

    /** The flag of a {@link TrainConfig} component: {@code weightDecay} → {@code weight-decay}. */
    static String flag(String component) {
        return component.replaceAll("([A-Z])", "-$1").toLowerCase();
    }

    /** A config value as a user types it. */
    static String show(Object v) {
        if (v instanceof CellType c) return c.id();
        if (v instanceof BlockType b) return b.id();
        if (v instanceof Method m) return m.id();
        if (v instanceof DsfSolver d) return d.id();
        if (v instanceof OptimizerKind k) return k.id();
        if (v instanceof DataMode d) return d.id();
        if (v instanceof Batching b) return b.id();
        return String.valueOf(v);
    }

    private static JsonObject object(String json, String what) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (e.isJsonObject()) return e.getAsJsonObject();
        } catch (RuntimeException malformed) {
            // reported below
        }
        throw new IllegalArgumentException("the '" + what + "' metadata entry is not a JSON object: the checkpoint is damaged or was not written by dsf4j");
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e instanceof JsonPrimitive p && p.isString()) return p.getAsString();
        throw missing(key);
    }

    private static Number num(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e instanceof JsonPrimitive p && p.isNumber()) return p.getAsNumber();
        throw missing(key);
    }

    private static IllegalArgumentException missing(String key) {
        return new IllegalArgumentException("the checkpoint's config lacks '" + key + "' (or it has the wrong type): the checkpoint is damaged or was not written by dsf4j");
    }
}
