using System;
using System.Collections.Generic;

namespace TypedHttp.Policy;

/// <summary>
/// A small, built-in stand-in for the Public Suffix List, used by <see cref="CookieStore"/> to refuse cookies whose
/// Domain attribute names a registry-controlled domain (RFC 6265 §5.3 step 5).
/// </summary>
/// <remarks>
/// Rules: every single-label name (<c>com</c>, <c>org</c>, <c>uk</c>, <c>localhost</c>, any TLD) is a public suffix;
/// so is every name in a short list of common multi-label registries and shared hosting domains (<c>co.uk</c>,
/// <c>com.au</c>, <c>github.io</c>, …). Limit, documented: this is not the full Public Suffix List, so a cookie with
/// <c>Domain=</c> a registry suffix that is not listed here (for example <c>kawasaki.jp</c>-style wildcard rules)
/// is accepted for the hosts below it. A service client talks to a handful of known hosts, where this is enough.
/// </remarks>
internal static class PublicSuffixes
{
    private static readonly HashSet<string> s_multiLabel = new(StringComparer.Ordinal)
    {
        // United Kingdom, Australia, New Zealand, Japan, Brazil, India, China, South Africa, Korea, others.
        "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "nhs.uk", "police.uk", "sch.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
        "co.nz", "net.nz", "org.nz", "govt.nz", "ac.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "ed.jp", "gr.jp", "lg.jp",
        "com.br", "net.br", "org.br", "gov.br", "edu.br",
        "co.in", "net.in", "org.in", "gov.in", "ac.in", "firm.in", "gen.in", "ind.in",
        "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn",
        "co.za", "org.za", "gov.za", "ac.za", "net.za",
        "co.kr", "or.kr", "ne.kr", "go.kr", "ac.kr",
        "com.mx", "org.mx", "gob.mx", "com.ar", "com.tr", "com.tw", "com.hk", "com.sg", "com.my", "co.il", "org.il",
        "co.id", "or.id", "com.pl", "com.ua", "co.th", "in.th", "com.vn", "com.ph", "com.pk", "com.eg", "com.sa",
        "eu.com", "us.com", "uk.com", "de.com",
        // Shared hosting where unrelated customers are sibling subdomains.
        "github.io", "githubusercontent.com", "gitlab.io", "herokuapp.com", "azurewebsites.net", "cloudapp.net",
        "blob.core.windows.net", "cloudfront.net", "appspot.com", "blogspot.com", "netlify.app", "vercel.app",
        "pages.dev", "workers.dev", "firebaseapp.com", "web.app", "s3.amazonaws.com", "elasticbeanstalk.com",
    };

    /// <summary>Whether <paramref name="domain"/> (lower case, no leading dot) is a public suffix.</summary>
    /// <param name="domain">A canonical domain name.</param>
    public static bool IsPublicSuffix(string domain)
    {
        string trimmed = domain.EndsWith('.') ? domain[..^1] : domain;
        if (trimmed.Length == 0 || !trimmed.Contains('.'))
        {
            return true;
        }
        return s_multiLabel.Contains(trimmed);
    }
}
