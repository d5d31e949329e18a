using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using Microsoft.Extensions.Options;

namespace TypedHttp;

/// <summary>One engine session per registration name, shared by every client of that name; disposed with the container.</summary>
internal sealed class TypedHttpSessions : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<HttpSession>> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<HttpSessionOptions>> _options = new(StringComparer.Ordinal);
    private readonly IOptionsMonitor<TypedHttpClientRegistration> _registrations;

    public TypedHttpSessions(IOptionsMonitor<TypedHttpClientRegistration> registrations) => _registrations = registrations;

    public HttpSession Get(string name) =>
        _sessions.GetOrAdd(name, static (n, self) => new Lazy<HttpSession>(() => self.Create(n)), this).Value;

    /// <summary>
    /// The session options of a name as its session would get them, without a session: read by the HttpClient
    /// transport for its redirect settings. Built once per name.
    /// </summary>
    public HttpSessionOptions GetOptions(string name) =>
        _options.GetOrAdd(name, static (n, self) => new Lazy<HttpSessionOptions>(() => self.BuildOptions(n)), this).Value;

    private HttpSessionOptions BuildOptions(string name)
    {
        TypedHttpClientRegistration registration = _registrations.Get(name);
        var options = new HttpSessionOptions();
        foreach (Action<HttpSessionOptions> action in registration.SessionActions)
        {
            action(options);
        }
        return options;
    }

    private HttpSession Create(string name) => new(BuildOptions(name));

    public void Dispose()
    {
        foreach (KeyValuePair<string, Lazy<HttpSession>> pair in _sessions)
        {
            if (pair.Value.IsValueCreated)
            {
                pair.Value.Value.Dispose();
            }
        }
    }
}
