using System.Diagnostics;
using Islander.Model;

namespace Islander.Drivers.Network.Firewall;

/// <summary>
/// Applies an <see cref="NftRuleset"/> script with <c>nft -f -</c> inside a network namespace
/// (the process is started from a thread inside it, so it inherits it). nftables' interface is its
/// tool (docs/architecture.md, "Conventions"), so this is the one external program the network driver runs.
/// </summary>
public sealed class NftFirewall(NetworkNamespace ns, string nftPath = "nft")
{
    /// <summary>Runs {script} as one transaction. Throws <see cref="NetworkException"/> with nft's stderr.</summary>
    public void Apply(string script) => ns.Run(() => Run(["-f", "-"], script));

    /// <summary>The ruleset's generation in the namespace (<see cref="NftGeneration"/>); null when the kernel does not say.</summary>
    public uint? Generation()
    {
        try
        {
            return ns.Run(NftGeneration.Read);
        }
        catch (Netlink.NetlinkException)
        {
            return null; // no nf_tables answer: every sync applies its table, as before the generation was read
        }
    }

    /// <summary>Equivalent to: nft list table ip islander; null when the table does not exist.</summary>
    public string? List() => ns.Run(() =>
    {
        var (code, stdout, _) = Exec(["list", "table", NftRuleset.Family, NftRuleset.Table], null);
        return code == 0 ? stdout : null;
    });

    void Run(string[] args, string? stdin)
    {
        var (code, _, stderr) = Exec(args, stdin);
        if (code != 0)
            throw new NetworkException($"nft {string.Join(' ', args)} exited with {code}: {stderr.Trim()}", ErrorCategory.Unknown);
    }

    (int Code, string Stdout, string Stderr) Exec(string[] args, string? stdin)
    {
        var psi = new ProcessStartInfo(nftPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new NetworkException($"cannot run {nftPath} (install nftables): {e.Message}", ErrorCategory.Unsupported, e);
        }
        using (p)
        {
            var stdoutTask = p.StandardOutput.ReadToEndAsync();
            var stderrTask = p.StandardError.ReadToEndAsync();
            if (stdin is not null) p.StandardInput.Write(stdin);
            p.StandardInput.Close();
            p.WaitForExit();
            return (p.ExitCode, stdoutTask.GetAwaiter().GetResult(), stderrTask.GetAwaiter().GetResult());
        }
    }
}
