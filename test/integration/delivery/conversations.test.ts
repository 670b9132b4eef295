/** Conversation references on the run's Azurite: one personal chat per person, never a channel's. */
import { ConversationReferences } from "../../../src/conversations/conversationReferences";
import { personalReferenceFromActivity } from "../../../src/conversations/fromActivity";
import { ConversationsRepo } from "../../../src/storage/conversationsRepo";
import { freshStore, newObjectId, tenantA } from "../../support/deliveryStore";

let refs: ConversationReferences;
beforeAll(async () => {
  refs = new ConversationReferences(new ConversationsRepo(await freshStore()));
});

const base = { serviceUrl: "https://smba.trafficmanager.net/uk/", botId: "28:bot", tenantId: tenantA };

describe("personal references", () => {
  it("stores one per person, keyed by lower-cased tenant and object id", async () => {
    const oid = newObjectId().toUpperCase();
    await refs.savePersonal({ tenantId: tenantA.toUpperCase(), aadObjectId: oid }, { ...base, conversationId: "a:1" });
    await refs.savePersonal({ tenantId: tenantA, aadObjectId: oid.toLowerCase() }, { ...base, conversationId: "a:2" });
    const got = await refs.personal({ tenantId: tenantA, aadObjectId: oid });
    expect(got).toMatchObject({ conversationId: "a:2", tenantId: tenantA, botId: "28:bot" });
  });

  it("refuses channel and group chat references for a person", async () => {
    const p = { tenantId: tenantA, aadObjectId: newObjectId() };
    await expect(refs.savePersonal(p, { ...base, conversationId: "19:abc@thread.tacv2" })).rejects.toThrow();
    await expect(refs.savePersonal(p, { ...base, conversationId: "19:abc@thread.v2" })).rejects.toThrow();
    await expect(refs.savePersonal(p, { ...base, conversationId: "a:1", conversationType: "channel" as never })).rejects.toThrow();
    await expect(refs.savePersonal(p, { ...base, tenantId: "other", conversationId: "a:1" })).rejects.toThrow();
    expect(await refs.personal(p)).toBeUndefined();
  });

  it("forgets only the chat that failed, keeping a newer one", async () => {
    const p = { tenantId: tenantA, aadObjectId: newObjectId() };
    await refs.savePersonal(p, { ...base, conversationId: "a:old" });
    await refs.savePersonal(p, { ...base, conversationId: "a:new" });
    expect(await refs.forgetPersonal(p, "a:old")).toBe(false);
    expect((await refs.personal(p))?.conversationId).toBe("a:new");
    expect(await refs.forgetPersonal(p, "a:new")).toBe(true);
    expect(await refs.personal(p)).toBeUndefined();
  });

  it("savePersonalIfAbsent keeps a reference stored meanwhile", async () => {
    const p = { tenantId: tenantA, aadObjectId: newObjectId() };
    await refs.savePersonal(p, { ...base, conversationId: "a:from-turn" });
    const kept = await refs.savePersonalIfAbsent(p, { ...base, conversationId: "a:opened" });
    expect(kept.conversationId).toBe("a:from-turn");
  });

  it("reads a personal reference from a 1:1 activity and none from a channel", () => {
    const oid = newObjectId();
    const personal = {
      serviceUrl: "https://smba.trafficmanager.net/uk/",
      conversation: { id: "a:xyz", conversationType: "personal", tenantId: tenantA },
      from: { id: "29:u", aadObjectId: oid },
      recipient: { id: "28:bot", name: "Bot" },
      channelData: { tenant: { id: tenantA } },
    };
    expect(personalReferenceFromActivity(personal)).toMatchObject({ principal: { tenantId: tenantA, aadObjectId: oid }, ref: { conversationId: "a:xyz", botId: "28:bot" } });
    expect(personalReferenceFromActivity({ ...personal, conversation: { id: "19:c@thread.tacv2", conversationType: "channel" } })).toBeUndefined();
    expect(personalReferenceFromActivity({ ...personal, conversation: { id: "19:g@thread.v2", isGroup: true } })).toBeUndefined();
  });
});

describe("channel references", () => {
  it("stores a registered channel under team and channel", async () => {
    const key = { teamId: "19:team@thread.tacv2", channelId: "19:chan/with#odd?chars@thread.tacv2" };
    await refs.saveChannel(key, { serviceUrl: base.serviceUrl, conversationId: key.channelId, teamId: key.teamId, tenantId: tenantA, botId: "28:bot" });
    expect(await refs.channel(key)).toMatchObject({ conversationId: key.channelId, teamId: key.teamId });
    await expect(refs.saveChannel(key, { serviceUrl: base.serviceUrl, conversationId: "19:other@thread.tacv2", teamId: key.teamId, tenantId: tenantA, botId: "28:bot" })).rejects.toThrow();
  });
});
