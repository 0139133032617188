package sail.server.data;

/** Rows in the traffic log: generations, distinct (reply, client) ratings and preference pairs. */
public record Counts(long generations, long feedback, long preferences) {}
