namespace TypedHttp.Internal;

/// <summary>What to write before an item of a <see cref="JoinedValueList"/>.</summary>
internal enum JoinedItemStep
{
    /// <summary>Nothing, and not the item either: it is null, or no list was begun.</summary>
    Skip,

    /// <summary>The first item: start the pair (<c>name=</c>), then the item.</summary>
    StartPair,

    /// <summary>A later item: the separator, then the item.</summary>
    Separator,
}

/// <summary>
/// One value whose items are joined by a separator (<c>CollectionFormat.Csv</c> and the others), shared by the query
/// string builder and the form builder: nothing is written until the first non-null item arrives, so an empty or
/// all-null collection sends no pair. Each builder writes the pair and the separator in its own escaping.
/// </summary>
internal struct JoinedValueList
{
    private string? _name;
    private bool _started;

    /// <summary>The name of the pair begun, or null.</summary>
    public readonly string? Name => _name;

    /// <summary>The separator, as the builder gave it to <see cref="Begin"/>.</summary>
    public string? Separator { get; private set; }

    /// <summary>Begins a list; the previous one, if any, is finished.</summary>
    /// <param name="name">The pair's name.</param>
    /// <param name="separator">The separator, in the form the builder writes it.</param>
    public void Begin(string name, string separator)
    {
        _name = name;
        Separator = separator;
        _started = false;
    }

    /// <summary>What to write before <paramref name="value"/>, which the caller then writes unless the step is <see cref="JoinedItemStep.Skip"/>.</summary>
    /// <param name="value">The formatted item, or null.</param>
    public JoinedItemStep Next(string? value)
    {
        if (value is null || _name is null)
        {
            return JoinedItemStep.Skip;
        }
        if (_started)
        {
            return JoinedItemStep.Separator;
        }
        _started = true;
        return JoinedItemStep.StartPair;
    }
}
