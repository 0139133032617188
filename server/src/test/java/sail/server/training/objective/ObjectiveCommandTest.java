package sail.server.training.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import sail.server.cli.ObjectiveCommand;
import sail.server.cli.SailServerCli;

/** {@code ./sail objective}, run in-process. */
class ObjectiveCommandTest {
  private record Result(int exitCode, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new ObjectiveCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private static JsonNode json(String... args) throws Exception {
    Result result = run(args);
    assertEquals(0, result.exitCode(), result.err());
    JsonNode node = new ObjectMapper().readTree(result.out());
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("s", "loss", "dloss_dchosen", "dloss_drejected", "p_swap"), names);
    return node;
  }

  @Test
  void caseA() throws Exception {
    JsonNode node =
        json(
            "--route",
            "dpo",
            "--beta",
            "0.1",
            "--coef",
            "0.5",
            "--policy-chosen",
            "-50",
            "--policy-rejected",
            "-60",
            "--ref-chosen",
            "-55",
            "--ref-rejected",
            "-58",
            "--json");

    assertEquals(-0.403186, node.get("s").asDouble(), 1e-6);
    assertEquals(0.403186, node.get("loss").asDouble(), 1e-6);
    assertEquals(-0.033181, node.get("dloss_dchosen").asDouble(), 1e-6);
    assertEquals(0.033181, node.get("dloss_drejected").asDouble(), 1e-6);
    assertEquals(0.331812, node.get("p_swap").asDouble(), 1e-6);
  }

  @Test
  void caseC() throws Exception {
    JsonNode node =
        json(
            "--route",
            "dpp",
            "--beta",
            "0.1",
            "--coef",
            "0.2",
            "--policy-chosen",
            "-120",
            "--policy-rejected",
            "-100",
            "--ref-chosen",
            "-110",
            "--ref-rejected",
            "-105",
            "--json");

    assertEquals(-1.701413, node.get("s").asDouble(), 1e-6);
    assertEquals(1.411933, node.get("loss").asDouble(), 1e-6);
    assertEquals(-0.053937 + 0.340283, node.get("dloss_dchosen").asDouble(), 1e-6);
    assertEquals(0.053937 + 0.340283, node.get("dloss_drejected").asDouble(), 1e-6);
    assertEquals(0.817574, node.get("p_swap").asDouble(), 1e-6);
  }

  @Test
  void coefIsTheRoutesCoefficient() throws Exception {
    String[] pairE = {
      "--beta",
      "0.1",
      "--coef",
      "0.2",
      "--policy-chosen",
      "-100",
      "--policy-rejected",
      "-20",
      "--ref-chosen",
      "-60",
      "--ref-rejected",
      "-60",
      "--json"
    };
    JsonNode ddp = json(concat("ddp", pairE));
    assertEquals(1.599799, ddp.get("loss").asDouble(), 1e-6);
    assertEquals(0.059987, ddp.get("dloss_dchosen").asDouble(), 1e-6);

    JsonNode dpr =
        json(
            "--route",
            "DPR",
            "--coef",
            "0.3",
            "--policy-chosen",
            "-120",
            "--policy-rejected",
            "-100",
            "--ref-chosen",
            "-110",
            "--ref-rejected",
            "-105",
            "--json");
    assertEquals(1.701413, dpr.get("loss").asDouble(), 1e-6);
    assertEquals(-0.081757 + 0.510424, dpr.get("dloss_dchosen").asDouble(), 1e-6);
  }

  @Test
  void tableWithoutJson() {
    Result result =
        run(
            "--route",
            "dpp",
            "--coef",
            "0.2",
            "--policy-chosen",
            "-120",
            "--policy-rejected",
            "-100",
            "--ref-chosen",
            "-110",
            "--ref-rejected",
            "-105");
    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().contains("-1.701413"), result.out());
    assertTrue(result.out().contains("0.340283"), result.out());
    assertTrue(result.out().contains("0.817574"), result.out());
  }

  @Test
  void badInputNamesTheOptionAndExitsWithTwo() {
    String[] pair = {
      "--policy-chosen",
      "-1",
      "--policy-rejected",
      "-2",
      "--ref-chosen",
      "-1",
      "--ref-rejected",
      "-2"
    };
    Result route = run(concat("sail", pair));
    assertEquals(2, route.exitCode());
    assertTrue(route.err().contains("--route") && route.err().contains("sail"), route.err());

    Result beta = run(concat("dpo", "--beta", "0", pair));
    assertEquals(2, beta.exitCode());
    assertTrue(beta.err().contains("--beta"), beta.err());

    Result negativeBeta = run(concat("dpo", "--beta", "-0.1", pair));
    assertEquals(2, negativeBeta.exitCode());
    assertTrue(negativeBeta.err().contains("--beta"), negativeBeta.err());

    Result nan = run(concat("dpo", "--coef", "NaN", pair));
    assertEquals(2, nan.exitCode());
    assertTrue(nan.err().contains("--coef"), nan.err());

    Result infinite =
        run(
            "--route",
            "dpo",
            "--policy-chosen",
            "Infinity",
            "--policy-rejected",
            "-2",
            "--ref-chosen",
            "-1",
            "--ref-rejected",
            "-2");
    assertEquals(2, infinite.exitCode());
    assertTrue(infinite.err().contains("--policy-chosen"), infinite.err());

    Result notANumber = run(concat("dpo", "--coef", "abc", pair));
    assertEquals(2, notANumber.exitCode());
    assertTrue(notANumber.err().contains("--coef"), notANumber.err());

    Result missing = run("--route", "dpo", "--policy-chosen", "-1");
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains("--policy-rejected"), missing.err());
  }

  @Test
  void registeredUnderTheRootCommand() {
    CommandLine root = new CommandLine(new SailServerCli());
    assertTrue(root.getSubcommands().containsKey("objective"));
  }

  private static String[] concat(String route, String... rest) {
    String[] args = new String[rest.length + 2];
    args[0] = "--route";
    args[1] = route;
    System.arraycopy(rest, 0, args, 2, rest.length);
    return args;
  }

  private static String[] concat(String route, String option, String value, String[] rest) {
    String[] args = new String[rest.length + 4];
    args[0] = "--route";
    args[1] = route;
    args[2] = option;
    args[3] = value;
    System.arraycopy(rest, 0, args, 4, rest.length);
    return args;
  }
}
