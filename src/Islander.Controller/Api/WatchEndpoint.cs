using System.Text.Json;
using System.Threading.Channels;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.State;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Http;

namespace Islander.Controller.Api;

/// <summary>
/// <c>GET isles?watch=true[&amp;labelSelector=S][&amp;fieldSelector=metadata.name=NAME]</c> (networks, volumes alike): Kubernetes' watch, NDJSON
/// <see cref="WatchEventView"/> lines. First ADDED for each selected object there is, then BOOKMARK, then a line each
/// time a selected object's view changes: ADDED (new, or newly selected by a label change), MODIFIED, DELETED (gone, or
/// no longer selected). DELETED carries the object's last state, as Kubernetes' does: a deleted isle's status as last
/// committed, so an exit committed just before the deletion is seen even when its own view was never sent
/// (<see cref="LastState"/>). What wakes it is what changes an object: every event (the lifecycle's transitions, saved
/// before watchers hear of them, and the network and volume passes) and every change of the desired store (apply,
/// delete, a manifest file); the view is then read again and sent only if it differs from the last one sent, so a
/// client sees states, never a repeat. Built on those two feeds rather than a store of its own, so nothing else has
/// to remember to notify it.
/// </summary>
static class WatchEndpoint
{
    /// <param name="only">The one object's name to watch (<c>fieldSelector=metadata.name=</c>), or null for all.</param>
    public static async Task RunAsync(HttpContext context, ObjectKind kind, LabelSelector selector, string? only, DesiredStore desired, StateStore store,
        EventRecorder events, Func<ObjectKey, ObjectView?> view)
    {
        var ct = context.RequestAborted;
        var wake = Channel.CreateUnbounded<ObjectKey>(new UnboundedChannelOptions { SingleReader = true });
        void OnChanged(ObjectKey key)
        {
            if (key.Kind == kind && (only is null || key.Name == only)) wake.Writer.TryWrite(key);
        }
        desired.Changed += OnChanged;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Subscribed before the first list is read, so no change between the two is missed. Without the stored events:
        // the list reads every object anyway (a replay would read and match up to the store's 2,000 events per watch,
        // and a replayed volume event would have its usage walked again for nothing).
        using var subscription = events.Subscribe(history: false);
        var pump = Task.Run(async () =>
        {
            await foreach (var e in subscription.ReadAsync(stop.Token))
                if (e.Kind == kind.ToString() && (only is null || e.Name == only)) wake.Writer.TryWrite(new ObjectKey(kind, e.Name));
        }, stop.Token);
        try
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.StartAsync(ct);
            var sent = new Dictionary<string, (ObjectView View, string Json)>(StringComparer.Ordinal);
            foreach (var key in ApiEndpoints.Keys(kind, desired, store).Where(k => only is null || k.Name == only))
                if (Selected(key) is { } v)
                {
                    sent[key.Name] = (v, Serialize(v));
                    await WriteAsync(context, new WatchEventView(WatchEventView.Added, v), ct);
                }
            await WriteAsync(context, new WatchEventView(WatchEventView.Bookmark), ct);
            await foreach (var key in wake.Reader.ReadAllAsync(ct))
            {
                var now = Selected(key);
                bool had = sent.TryGetValue(key.Name, out var last);
                if (now is null)
                {
                    if (!had) continue;
                    sent.Remove(key.Name);
                    await WriteAsync(context, new WatchEventView(WatchEventView.Deleted, LastState(key, last.View, store)), ct);
                    continue;
                }
                var json = Serialize(now);
                if (had && json == last.Json) continue;
                sent[key.Name] = (now, json);
                await WriteAsync(context, new WatchEventView(had ? WatchEventView.Modified : WatchEventView.Added, now), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            desired.Changed -= OnChanged;
            await stop.CancelAsync();
            try { await pump; }
            catch (OperationCanceledException) { }
        }

        ObjectView? Selected(ObjectKey key) => LabelSelection.Selects(selector, desired, key) ? view(key) : null;
    }

    /// <summary>
    /// What a DELETED line carries: for an isle that no longer exists, <paramref name="sent"/> (the view sent last) with
    /// the status its record had when it was deleted, which may be newer (an exit committed just before the deletion,
    /// whose own view the watch never read); else the view sent last (an object still there, no longer selected).
    /// </summary>
    internal static ObjectView LastState(ObjectKey key, ObjectView sent, StateStore store) =>
        key.Kind == ObjectKind.Isle && store.GetIsle(key.Name) is null && store.DeletedIsle(key.Name) is { } record ? ObjectViews.Deleted(sent, record) : sent;

    static string Serialize(ObjectView view) => JsonSerializer.Serialize(view, ApiJson.Context.ObjectView);

    static async Task WriteAsync(HttpContext context, WatchEventView e, CancellationToken ct)
    {
        await context.Response.WriteAsync(JsonSerializer.Serialize(e, ApiJson.Context.WatchEventView) + "\n", ct);
        await context.Response.Body.FlushAsync(ct);
    }
}
