package sail.server.task;

/**
 * A prompt of the default task.
 *
 * @param prompt the text a user sends
 * @param source where it was made from: {@code austen-dialogue} or {@code uci-imdb}, {@code
 *     uci-yelp}, {@code uci-amazon}
 */
public record Prompt(String prompt, String source) {}
