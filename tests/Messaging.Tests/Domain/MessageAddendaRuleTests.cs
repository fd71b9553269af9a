using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Domain;

/// <summary>The rules of metadata, mentions, reply previews and PATCH of a conversation (issue 16).</summary>
public sealed class MessageAddendaRuleTests
{
    private static readonly MessagingLimits Limits = new();

    private static Result<Metadata> Create(params (string Key, string? Value)[] values) =>
        Metadata.Create(values.ToDictionary(v => v.Key, v => v.Value));

    [Fact]
    public void Metadata_keeps_up_to_16_keys_of_letters_digits_dot_dash_and_underscore()
    {
        var values = Enumerable.Range(0, 16).Select(i => ($"key_{i}.a-B", (string?)"v")).ToArray();

        Assert.Equal(16, Create(values).Ok().Count);
        Assert.Equal(ErrorKind.Invalid, Create([.. values, ("one_more", "v")]).Error!.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    [InlineData("slash/key")]
    [InlineData("ümlaut")]
    [InlineData("$where")]
    public void Metadata_refuses_a_key_outside_the_pattern(string key)
    {
        var error = Create((key, "v")).Error!;

        Assert.Equal(["metadata"], error.FieldErrors!.Keys);
    }

    [Fact]
    public void Metadata_refuses_a_key_longer_than_64_characters()
    {
        Assert.True(Create((new string('k', 64), "v")).IsSuccess);
        Assert.False(Create((new string('k', 65), "v")).IsSuccess);
    }

    [Fact]
    public void Metadata_values_are_at_most_512_characters_counted_as_unicode_scalars()
    {
        Assert.True(Create(("emoji", string.Concat(Enumerable.Repeat("😀", 512)))).IsSuccess);
        Assert.False(Create(("long", new string('x', 513))).IsSuccess);
        Assert.False(Create(("null", null)).IsSuccess);
        Assert.False(Create(("lone", "\ud800")).IsSuccess);
    }

    [Fact]
    public void Metadata_is_at_most_4096_utf8_bytes_of_keys_and_values_in_all()
    {
        // 8 keys of 2 bytes and values of 510 bytes: 4096 bytes exactly; one more byte is refused.
        var fits = Enumerable.Range(0, 8).Select(i => ($"k{i}", (string?)new string('v', 510))).ToArray();
        var over = fits.Select((kv, i) => i == 0 ? (kv.Item1, (string?)new string('v', 511)) : kv).ToArray();

        Assert.True(Create(fits).IsSuccess);
        Assert.Contains("4096 bytes", Create(over).Error!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Mentions_are_1_to_50_distinct_user_ids()
    {
        var fifty = Enumerable.Range(0, 50).Select(i => (string?)$"user-{i}").ToList();

        Assert.Equal(50, Mentions.Validate(fifty, allowEmpty: false).Ok().Count);
        Assert.False(Mentions.Validate([.. fifty, "user-50"], allowEmpty: false).IsSuccess);
        Assert.False(Mentions.Validate(["bob", "bob"], allowEmpty: false).IsSuccess);
        Assert.False(Mentions.Validate([], allowEmpty: false).IsSuccess);
        Assert.False(Mentions.Validate(["  "], allowEmpty: false).IsSuccess);
        Assert.Empty(Mentions.Validate([], allowEmpty: true).Ok());
    }

    [Fact]
    public void A_reply_preview_cuts_the_text_to_200_characters_without_splitting_one()
    {
        var text = new string('a', 199) + "👍🏽" + "tail";

        var preview = ReplyPreview.Of("m", "alice", text, null);

        Assert.Equal(new string('a', 199) + "👍🏽", preview.Text);
        Assert.Equal("", ReplyPreview.Of("m", "alice", text, Time.At(1)).Text);
    }

    [Fact]
    public void A_tombstone_loses_its_mentions_and_metadata_and_keeps_what_it_answers()
    {
        Message parent = AMessage.From("alice").Saying("question");
        var reply = AMessage.From("bob").Saying("answer").Answering(parent).Mentioning("alice").WithMetadata(("k", "v")).Build();

        reply.Delete("bob", false, Time.At(2)).Ok();

        Assert.Empty(reply.Mentions);
        Assert.Equal(0, reply.Metadata.Count);
        Assert.Equal(parent.Id, reply.ReplyToId);
    }

    [Fact]
    public void An_edit_changes_only_what_it_gives()
    {
        var message = AMessage.From("alice").Saying("hello").Mentioning("bob").Build();

        message.Edit("alice", new MessageEdit(null, null, Create(("k", "v")).Ok()), Time.At(3), Limits).Ok();

        Assert.Equal("hello", message.Text);
        Assert.Equal(["bob"], message.Mentions);
        Assert.Equal("v", message.Metadata.Values["k"]);
        Assert.Equal(Time.At(3), message.EditedAt);
    }

    [Fact]
    public void Patch_of_a_group_is_for_owners_only_and_replaces_the_metadata()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();
        group.StartWith(Create(("a", "1"), ("b", "2")).Ok());

        Assert.Equal(ErrorKind.Forbidden, group.Update("bob", null, Metadata.Empty, Time.At(1), Limits).Error!.Kind);
        group.Update("alice", null, Create(("c", "3")).Ok(), Time.At(2), Limits).Ok();

        Assert.Equal(["c"], group.Metadata.Values.Keys);
    }

    [Fact]
    public void Patch_of_a_direct_conversation_is_for_either_member_and_its_title_stays_refused()
    {
        var direct = Conversation.StartDirect("alice", "bob", Time.At(0)).Ok();

        direct.Update("bob", null, Create(("a", "1")).Ok(), Time.At(1), Limits).Ok();
        var titled = direct.Update("bob", "Us", null, Time.At(2), Limits);

        Assert.Equal(["title"], titled.Error!.FieldErrors!.Keys);
        Assert.Null(direct.Title);
        Assert.Equal(ErrorKind.Invalid, direct.Update("alice", null, null, Time.At(3), Limits).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, direct.Update("carol", null, Metadata.Empty, Time.At(3), Limits).Error!.Kind);
    }
}
