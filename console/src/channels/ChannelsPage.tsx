/**
 * Bots → a bot → Channels: the web widget (its look, a live preview, the embed tag, the sites that
 * may use it) and every vendor channel the platform serves (WhatsApp, Twilio…), each with its form,
 * a credentials check and the webhook URLs to copy. Channels and the widget are the admins' (the API
 * answers 403 to anyone else; the page says so).
 */
import { useQuery } from "@tanstack/react-query";
import { ApiError, describeError } from "../api/client.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { AllowedDomains } from "./AllowedDomains.tsx";
import { channelKeys, channelsApi, tenantApi, widgetApi } from "./api.ts";
import { ChannelCard, channelTitle } from "./ChannelCard.tsx";
import { WidgetSettings } from "./WidgetSettings.tsx";

/** The order CONSOLE.md names them in; a channel plugin of another name follows, by name. */
const ORDER = ["whatsapp", "twilio"];
const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

export default function ChannelsPage({ botId }: { botId: string }) {
  const bot = useQuery({ queryKey: botKeys.detail(botId), queryFn: () => botsApi.get(botId) });
  const channels = useQuery({
    queryKey: channelKeys.ofBot(botId), queryFn: () => channelsApi.ofBot(botId), retry: false,
    select: (list) => [...list].sort((a, b) => rank(a.channel) - rank(b.channel) || a.channel.localeCompare(b.channel)),
  });
  const look = useQuery({ queryKey: channelKeys.widget(botId), queryFn: () => widgetApi.get(botId), retry: false });
  const tenant = useQuery({ queryKey: channelKeys.tenant, queryFn: tenantApi.get });
  const forbidden = [channels.error, look.error].some((e) => e instanceof ApiError && e.status === 403);

  return (
    <Layout title={`${bot.data?.name ?? "Bot"}: channels`} actions={<Link to={`/bots/${botId}`} className="button">Back to the flow</Link>}>
      {forbidden ? (
        <p role="alert" className="alert">Channels and the web widget are set up by the tenant's admins and owners. Ask one of them to connect a channel or change the widget.</p>
      ) : (
        <>
          {(channels.isError || look.isError) && <p role="alert" className="alert">{describeError(channels.error ?? look.error)}</p>}
          <nav aria-label="Channels on this page" className="in-page">
            <a href="#web-widget">Web widget</a>
            {channels.data?.map((c) => <a key={c.channel} href={`#${c.channel}`}>{channelTitle(c.channel)}</a>)}
          </nav>
          <section className="channel-card" id="web-widget" aria-labelledby="web-widget-title">
            <div className="channel-head"><h2 id="web-widget-title">Web widget</h2></div>
            <p className="muted small">A chat button on your site: one script tag, drawn the way you set it here.</p>
            {!look.data && !look.isError && <p role="status">Loading the widget…</p>}
            {look.data && <WidgetSettings botId={botId} look={look.data} tenantId={tenant.data?.id} />}
            {tenant.data && <AllowedDomains tenant={tenant.data} />}
          </section>
          {!channels.data && !channels.isError && <p role="status">Loading the channels…</p>}
          {channels.data?.map((channel) => <ChannelCard key={channel.channel} botId={botId} channel={channel} />)}
        </>
      )}
    </Layout>
  );
}
