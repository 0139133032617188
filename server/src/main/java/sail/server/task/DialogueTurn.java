package sail.server.task;

/**
 * One exchange taken from a novel: a character's speech and the reply that follows it.
 *
 * @param user the first speech, played by the user
 * @param assistant the reply, played by the assistant
 * @param book the title of the novel it comes from
 */
public record DialogueTurn(String user, String assistant, String book) {}
