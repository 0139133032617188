package sail.server.task;

/**
 * The parts of one simulated judgement; {@code score = ((1 − ε)·appeal + ε·taste) · fluency ·
 * repetition · length} with ε = {@link SimulatedAnnotator#TASTE_WEIGHT}. All parts lie in [0, 1].
 *
 * @param appeal what the {@link Preference} makes of the content
 * @param taste the annotator's idiosyncratic liking of the words used, which breaks ties
 * @param fluency the gate for dictionary words and function words
 * @param repetition the gate for repeated words
 * @param length the gate for too short or too long replies
 * @param score the product
 */
public record Breakdown(
    double appeal, double taste, double fluency, double repetition, double length, double score) {}
