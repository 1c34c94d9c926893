using System.CommandLine;
using Islander.Cli.Completion;
using System.Text;
using Islander.Cli.Api;
using Islander.Cli.Terminal;
using Islander.Model;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl exec [-e K=V] [-u USER] [-w DIR] NAME -- COMMAND [ARGS...]</c>: runs a command in a running isle, as
/// <c>docker exec</c> and <c>kubectl exec</c> do, its stdout and stderr here, and exits with its exit code (128 + signal;
/// 126/127 when it cannot be executed / is not found, as shells). Ctrl-C kills the command (exit 130).
/// <para><c>-i</c> passes stdin, <c>-t</c> gives the command a terminal of the isle's (<see cref="ExecStreams"/>).</para>
/// </summary>
public static class ExecCommand
{
    public static Command Create(Option<string?> socket)
    {
        var name = new Argument<string>("name") { Description = "isle name" };
        var command = new Argument<string[]>("command") { Description = "the command and its arguments, after --", Arity = ArgumentArity.OneOrMore };
        var env = new Option<string[]>("--env", "-e") { Description = "set an environment variable (NAME=value, or NAME to pass this shell's)", AllowMultipleArgumentsPerToken = false };
        var user = new Option<string?>("--user", "-u") { Description = "user (name, uid, name:group, uid:gid) from the isle's /etc/passwd; default: the isle's" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "working directory in the isle; default: the isle's" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "pass stdin to the command (its end closes the command's stdin)" };
        var tty = new Option<bool>("--tty", "-t") { Description = "allocate a terminal in the isle (with -i: this terminal in raw mode; Ctrl-P Ctrl-Q detaches)" };
        var detachKeys = new Option<string>("--detach-keys") { Description = $"keys that end the session, Docker's format (default {DetachKeys.Default}); the command is killed, as a closed terminal's", DefaultValueFactory = _ => DetachKeys.Default };
        var exec = new Command("exec", "run a command in a running isle") { name, command, env, user, workdir, interactive, tty, detachKeys };
        Completions.Names(name, socket, "isles", o => o.Status.Phase == "Running");
        exec.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var vars = (parse.GetValue(env) ?? []).Select(RunOptions.ParseEnv).Select(v => $"{v.Name}={v.Value}").ToList();
            string isle = parse.GetValue(name)!;
            if (parse.GetValue(tty) || parse.GetValue(interactive))
            {
                var streams = new ExecStreams(isle, parse.GetValue(command)!, vars, parse.GetValue(user), parse.GetValue(workdir),
                    parse.GetValue(interactive), parse.GetValue(tty), parse.GetValue(detachKeys) ?? DetachKeys.Default);
                try
                {
                    return await streams.RunAsync(client.SocketPath, output, error, token);
                }
                catch (ClientException e) when (e.Reason is Reasons.CommandNotFound or Reasons.CommandNotExecutable)
                {
                    await error.WriteLineAsync($"error: {e.Message}");
                    return e.Reason == Reasons.CommandNotFound ? RunExitCodes.CommandNotFound : RunExitCodes.CommandNotExecutable;
                }
                catch (Exception e) when (token.IsCancellationRequested && e is OperationCanceledException or IOException)
                {
                    return RunExitCodes.Interrupted; // SIGINT to islanderctl itself (-i without -t): the connection closes, the daemon kills the command
                }
            }
            var writers = new Dictionary<int, Sink> { [1] = new(output, Console.Out), [2] = new(error, Console.Error) };
            try
            {
                var end = await client.ExecAsync(isle, parse.GetValue(command)!, vars, parse.GetValue(user), parse.GetValue(workdir),
                    (stream, data) => writers[stream].WriteAsync(data), token);
                return end.ShellCode;
            }
            catch (ClientException e) when (e.Reason is Reasons.CommandNotFound or Reasons.CommandNotExecutable)
            {
                await error.WriteLineAsync($"error: {e.Message}");
                return e.Reason == Reasons.CommandNotFound ? RunExitCodes.CommandNotFound : RunExitCodes.CommandNotExecutable;
            }
            catch (Exception e) when (token.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException)
            {
                return RunExitCodes.Interrupted; // the daemon kills the command when the connection closes
            }
        }));
        return exec;
    }

    /// <summary>
    /// One of the command's outputs: the raw bytes when it is the process's own stdout or stderr (binary output stays
    /// whole), else decoded text (tests pass writers).
    /// </summary>
    sealed class Sink(TextWriter writer, TextWriter console)
    {
        readonly Stream? _raw = ReferenceEquals(writer, console)
            ? (ReferenceEquals(console, Console.Out) ? Console.OpenStandardOutput() : Console.OpenStandardError())
            : null;
        readonly Decoder _decoder = Encoding.UTF8.GetDecoder();

        public async Task WriteAsync(byte[] data)
        {
            if (_raw is not null)
            {
                await _raw.WriteAsync(data);
                await _raw.FlushAsync();
                return;
            }
            var chars = new char[_decoder.GetCharCount(data, flush: false)];
            _decoder.GetChars(data, chars, flush: false);
            await writer.WriteAsync(chars);
            await writer.FlushAsync();
        }
    }
}
