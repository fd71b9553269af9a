using System.Diagnostics.CodeAnalysis;

namespace Messaging.Domain.Common;

public enum ErrorKind
{
    Invalid,
    NotFound,
    Forbidden,
    Conflict,
    TooLarge,
    UnsupportedMediaType,
    RateLimited,
}

/// <summary>An expected failure of a use case; the hosts map it to a problem response in one place.</summary>
public sealed record Error(ErrorKind Kind, string Detail, IReadOnlyDictionary<string, string[]>? FieldErrors = null)
{
    /// <summary>For <see cref="ErrorKind.RateLimited"/>: when the caller may try again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static Error Invalid(string field, string detail) =>
        new(ErrorKind.Invalid, detail, new Dictionary<string, string[]> { [field] = [detail] });

    public static Error NotFound(string what) => new(ErrorKind.NotFound, $"{what} was not found.");

    public static Error Forbidden(string detail) => new(ErrorKind.Forbidden, detail);

    public static Error Conflict(string detail) => new(ErrorKind.Conflict, detail);

    public static Error TooLarge(string detail) => new(ErrorKind.TooLarge, detail);

    public static Error RateLimited(string detail) => new(ErrorKind.RateLimited, detail);

    public static readonly Error ConversationNotFound = NotFound("Conversation");
    public static readonly Error MessageNotFound = NotFound("Message");
    public static readonly Error AttachmentNotFound = NotFound("Attachment");
}

/// <summary>The outcome of a use case: a value or an <see cref="Error"/>.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Error? error)
    {
        _value = value;
        Error = error;
    }

    public Error? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"The result is an error: {Error.Detail}");

    public static Result<T> Success(T value) => new(value, null);

    public static Result<T> Failure(Error error) => new(default, error);

    public static implicit operator Result<T>(T value) => Success(value);

    public static implicit operator Result<T>(Error error) => Failure(error);

    public Result<TOut> Map<TOut>(Func<T, TOut> map) => IsSuccess ? map(_value!) : Result<TOut>.Failure(Error);
}

/// <summary>A result with no value.</summary>
public readonly struct Outcome
{
    private Outcome(Error? error) => Error = error;

    public Error? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public static Outcome Success => new(null);

    public static implicit operator Outcome(Error error) => new(error);
}
