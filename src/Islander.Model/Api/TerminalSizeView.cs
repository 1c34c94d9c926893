namespace Islander.Model.Api;

/// <summary>A terminal's size in character cells, as <c>stty size</c> prints it (rows first): a resize frame's data.</summary>
public sealed record TerminalSizeView(int Rows, int Cols)
{
    /// <summary>Whether both fit the kernel's <c>struct winsize</c> (unsigned short) and neither is 0.</summary>
    public bool IsValid => Rows is > 0 and <= ushort.MaxValue && Cols is > 0 and <= ushort.MaxValue;
}
