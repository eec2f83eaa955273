package dsf4j.config;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The model config as the JSON stored in safetensors metadata (the {@code grads} file, checkpoints):
 * {"cell":"gru","block":"residual","layers":2,"hidden":8,"vocab":11,"pad_id":0,"lambda_init":"linspace:0:1"}.
 */
public final class ConfigJson {

    private ConfigJson() {}

    public static JsonObject toJson(ModelConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("cell", c.cell().id());
        o.addProperty("block", c.block().id());
        o.addProperty("layers", c.layers());
        o.addProperty("hidden", c.hidden());
        o.addProperty("vocab", c.vocab());
        o.addProperty("pad_id", c.padId());
        o.addProperty("lambda_init", c.lambdaInit().toString());
        return o;
    }

    /**
     * @throws IllegalArgumentException naming the field when the JSON is malformed or a value is invalid
     */
    public static ModelConfig fromJson(String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            return new ModelConfig(
                    CellType.parse(field(o, "cell")),
                    BlockType.parse(field(o, "block")),
                    Integer.parseInt(field(o, "layers")),
                    Integer.parseInt(field(o, "hidden")),
                    Integer.parseInt(field(o, "vocab")),
                    Integer.parseInt(field(o, "pad_id")),
                    LambdaInit.parse(field(o, "lambda_init")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model config " + abbreviate(json) + " is invalid: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("model config " + abbreviate(json) + " is not a JSON object with cell, block, layers, hidden, vocab, pad_id and lambda_init");
        }
    }

    private static String field(JsonObject o, String name) {
        if (!o.has(name) || o.get(name).isJsonNull()) throw new IllegalArgumentException("field '" + name + "' is missing");
        return o.get(name).getAsString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
