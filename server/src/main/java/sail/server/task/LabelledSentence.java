package sail.server.task;

/**
 * A review sentence with its human sentiment label.
 *
 * @param text the sentence
 * @param positive whether annotators labelled it positive (class 1) rather than negative (class 0)
 * @param source where it was written: {@code imdb}, {@code yelp} or {@code amazon}
 */
public record LabelledSentence(String text, boolean positive, String source) {}
