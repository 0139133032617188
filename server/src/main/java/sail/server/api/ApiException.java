package sail.server.api;

import sail.server.data.PromptMismatchException;
import sail.server.data.TrafficLog;
import sail.server.data.UnknownGenerationException;
import sail.server.inference.OverloadedException;

/**
 * An error the API reports to its caller. Each boundary (gRPC, HTTP) maps these kinds to its status
 * codes in exactly one place; everything else becomes INTERNAL / 500.
 */
public abstract sealed class ApiException extends RuntimeException {

  private ApiException(String message) {
    super(message, null, false, false);
  }

  /** A request field is missing or out of range: INVALID_ARGUMENT / 400. */
  public static final class InvalidArgument extends ApiException {
    private final String field;

    public InvalidArgument(String field, String message) {
      super(field + ": " + message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /** A referenced generation does not exist: NOT_FOUND / 404. */
  public static final class NotFound extends ApiException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** The admission queue is full: RESOURCE_EXHAUSTED / 429 with Retry-After. */
  public static final class Overloaded extends ApiException {
    private final int retryAfterSeconds;

    public Overloaded(String message, int retryAfterSeconds) {
      super(message);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** The server cannot serve right now (model loading, shutting down): UNAVAILABLE / 503. */
  public static final class Unavailable extends ApiException {
    public Unavailable(String message) {
      super(message);
    }
  }

  /** No API key, or one the server does not know: UNAUTHENTICATED / 401. */
  public static final class Unauthenticated extends ApiException {
    public Unauthenticated(String message) {
      super(message);
    }
  }

  /** A valid API key whose role may not call this: PERMISSION_DENIED / 403. */
  public static final class PermissionDenied extends ApiException {
    public PermissionDenied(String message) {
      super(message);
    }
  }

  /** The caller is over its rate limit: RESOURCE_EXHAUSTED / 429 with Retry-After. */
  public static final class RateLimited extends ApiException {
    private final int retryAfterSeconds;

    public RateLimited(String message, int retryAfterSeconds) {
      super(message);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** Seconds a client should wait before retrying, for Overloaded and RateLimited; else 0. */
  int retryAfterSeconds() {
    if (this instanceof Overloaded overloaded) {
      return overloaded.retryAfterSeconds();
    } else if (this instanceof RateLimited limited) {
      return limited.retryAfterSeconds();
    }
    return 0;
  }

  /**
   * Translates the domain exceptions of the layers below into API errors; returns {@code null} for
   * anything unexpected (an internal error).
   */
  public static ApiException from(Throwable error) {
    Throwable e = error;
    while ((e instanceof java.util.concurrent.CompletionException
            || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ApiException api) {
      return api;
    } else if (e instanceof UnknownGenerationException unknown) {
      return new NotFound(unknown.getMessage());
    } else if (e instanceof sail.server.evaluation.UnknownVersionException unknown) {
      return new NotFound(unknown.getMessage());
    } else if (e instanceof PromptMismatchException mismatch) {
      return new InvalidArgument("rejected", mismatch.getMessage());
    } else if (e instanceof OverloadedException overloaded) {
      return new Overloaded(overloaded.getMessage(), overloaded.retryAfterSeconds());
    } else if (e instanceof TrafficLog.LogOverloadedException
        || e instanceof TrafficLog.LogClosedException) {
      return new Unavailable(e.getMessage());
    }
    return null;
  }
}
