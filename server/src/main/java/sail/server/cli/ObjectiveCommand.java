package sail.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import sail.server.training.objective.ClampMode;
import sail.server.training.objective.ExampleLoss;
import sail.server.training.objective.GradientCoefficients;
import sail.server.training.objective.PairLogProbs;
import sail.server.training.objective.Route;
import sail.server.training.objective.SailLoss;
import sail.server.training.objective.TermAForm;

/**
 * {@code ./sail objective}: how the SAIL objective weighs one pair (sail-objective.md, section 4),
 * derived form of term A, baseline 0, no clamp.
 */
@Command(
    name = "objective",
    mixinStandardHelpOptions = true,
    description =
        "Show the SAIL loss of one preference pair and its derivatives with respect to the summed"
            + " policy log-probs of the chosen and rejected replies.")
public final class ObjectiveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--route",
      required = true,
      converter = RouteConverter.class,
      description = "dpo, ddp, dpp or dpr.")
  Route route;

  @Option(names = "--beta", description = "β > 0 (default ${DEFAULT-VALUE}).")
  double beta = 0.1;

  @Option(
      names = "--coef",
      description =
          "The route's gradient coefficient: ddp c_B (ρ), dpp c_A = c_B (π), dpr c_A (γ);"
              + " ignored for dpo (default ${DEFAULT-VALUE}).")
  double coef = 0;

  @Option(names = "--policy-chosen", required = true, description = "ℓ(y_w) under the policy.")
  double policyChosen;

  @Option(names = "--policy-rejected", required = true, description = "ℓ(y_l) under the policy.")
  double policyRejected;

  @Option(names = "--ref-chosen", required = true, description = "ℓ(y_w) under the reference.")
  double refChosen;

  @Option(names = "--ref-rejected", required = true, description = "ℓ(y_l) under the reference.")
  double refRejected;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() throws JsonProcessingException {
    requireFinite("--beta", beta);
    if (!(beta > 0)) {
      throw new ParameterException(
          spec.commandLine(), "Invalid value for option '--beta': " + beta + " must be > 0");
    }
    requireFinite("--coef", coef);
    requireFinite("--policy-chosen", policyChosen);
    requireFinite("--policy-rejected", policyRejected);
    requireFinite("--ref-chosen", refChosen);
    requireFinite("--ref-rejected", refRejected);

    // --coef is whichever coefficient the route uses
    GradientCoefficients coefficients = new GradientCoefficients(coef, coef, coef);
    ExampleLoss example =
        SailLoss.example(
            new PairLogProbs(policyChosen, policyRejected, refChosen, refRejected),
            beta,
            route.coefficients(coefficients),
            0,
            TermAForm.DERIVED,
            ClampMode.NONE);

    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("s", example.s());
      fields.put("loss", example.loss());
      fields.put("dloss_dchosen", example.dChosen());
      fields.put("dloss_drejected", example.dRejected());
      fields.put("p_swap", example.pSwap());
      out.println(new ObjectMapper().writeValueAsString(fields));
    } else {
      var c = route.coefficients(coefficients);
      out.printf(
          Locale.ROOT,
          "route %s, β = %s, c_A = %s, c_B = %s%n",
          name(route),
          beta,
          c.termA(),
          c.termB());
      row(out, "margin β·h", example.margin());
      row(out, "s = log σ(β·h)", example.s());
      row(out, "loss −s − (c_B/2)s²", example.loss());
      row(out, "weight 1 + c_B·s", example.weight());
      row(out, "∂L/∂ℓ_w (DPO + B)", example.dpoGradient());
      row(out, "term A (each side)", example.termAChosen());
      row(out, "∂L/∂ℓ_w", example.dChosen());
      row(out, "∂L/∂ℓ_l", example.dRejected());
      row(out, "P(swap)", example.pSwap());
    }
    out.flush();
    return 0;
  }

  private static void row(PrintWriter out, String label, double value) {
    out.printf(Locale.ROOT, "  %-22s %12.6f%n", label, value);
  }

  private void requireFinite(String option, double value) {
    if (!Double.isFinite(value)) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '" + option + "': " + value + " is not a finite number");
    }
  }

  /** The CLI's name of a route. */
  static String name(Route route) {
    return switch (route) {
      case OFFLINE_DPO -> "dpo";
      case DDP -> "ddp";
      case DPP -> "dpp";
      case DPR -> "dpr";
    };
  }

  /** Translates the CLI's route names at the edge. */
  static final class RouteConverter implements ITypeConverter<Route> {
    @Override
    public Route convert(String value) {
      for (Route route : Route.values()) {
        if (name(route).equalsIgnoreCase(value.trim())) {
          return route;
        }
      }
      throw new TypeConversionException(
          "unknown route '" + value + "'; expected one of dpo, ddp, dpp, dpr");
    }
  }
}
