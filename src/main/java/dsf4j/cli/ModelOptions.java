package dsf4j.cli;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import picocli.CommandLine.Option;

/** The flags that shape a model; shared by the commands that build one from flags. */
final class ModelOptions {

    @Option(names = "--cell", defaultValue = "gru", description = CellType.CHOICES + " (default: ${DEFAULT-VALUE})")
    String cell;

    @Option(names = "--block", defaultValue = "residual", description = "residual or transformer (default: ${DEFAULT-VALUE})")
    String block;

    @Option(names = "--layers", defaultValue = "2", description = "recurrent layers (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--hidden", defaultValue = "8", description = "hidden units H (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--vocab", defaultValue = "11", description = "vocabulary size V (default: ${DEFAULT-VALUE})")
    int vocab;

    @Option(names = "--pad-id", defaultValue = "0", description = "target id the loss ignores, -1 for none (default: ${DEFAULT-VALUE})")
    int padId;

    @Option(names = "--lambda-init", defaultValue = "linspace:0:1",
            description = "DSF's fixed λ per layer: linspace:A:B, uniform:A:B or const:C (default: ${DEFAULT-VALUE})")
    String lambdaInit;

    ModelConfig toConfig() {
        return new ModelConfig(CellType.parse(cell), BlockType.parse(block), layers, hidden, vocab, padId, LambdaInit.parse(lambdaInit));
    }
}
