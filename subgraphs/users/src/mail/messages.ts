/**
 * The users domain's mail, in the account's language (Korean or English): each message has a
 * plain-text part and an HTML part with the same words and the same link.
 */

/** The languages mail is written in; `en` for anything else. */
export type Locale = 'ko' | 'en';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
  lang: Locale;
}

/**
 * The language of a new account from `Accept-Language`: the first of `ko` or `en` by the
 * header's q-values (ties: the order given); English when neither is there.
 */
export function localeFrom(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => (r.lang === 'ko' || r.lang === 'en') && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return (ranked[0]?.lang as Locale | undefined) ?? 'en';
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Words {
  subject: string;
  greeting: string;
  lines: string[];
  button?: string;
  after: string;
}

function compose(lang: Locale, words: Words, link?: string): MailContent {
  const text = [words.greeting, '', ...words.lines, ...(link ? ['', link] : []), '', words.after, '', '— stagelives'].join('\n');
  const paragraphs = words.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  const button = link
    ? `<p><a href="${escapeHtml(link)}" style="display:inline-block;padding:10px 18px;background:#5b3df5;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(words.button ?? link)}</a></p>\n<p style="font-size:12px;color:#666">${escapeHtml(link)}</p>`
    : '';
  const html = `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(words.subject)}</title></head>
<body style="font-family:sans-serif;line-height:1.5">
<p>${escapeHtml(words.greeting)}</p>
${paragraphs}
${button}
<p style="font-size:12px;color:#666">${escapeHtml(words.after)}</p>
<p>— stagelives</p>
</body></html>`;
  return { subject: words.subject, text, html, lang };
}

export function verificationMail(lang: Locale, nickname: string, link: string): MailContent {
  return compose(
    lang,
    lang === 'ko'
      ? {
          subject: '[stagelives] 이메일 주소를 인증해 주세요',
          greeting: `${nickname}님, 안녕하세요.`,
          lines: ['stagelives에 가입해 주셔서 감사합니다. 아래 링크를 눌러 이메일 주소를 인증해 주세요.'],
          button: '이메일 인증하기',
          after: '가입한 적이 없다면 이 메일은 무시하셔도 됩니다.',
        }
      : {
          subject: '[stagelives] Verify your email address',
          greeting: `Hi ${nickname},`,
          lines: ['Thanks for joining stagelives. Follow the link below to verify your email address.'],
          button: 'Verify my email',
          after: 'If you did not sign up, you can ignore this message.',
        },
    link,
  );
}

export function passwordResetMail(lang: Locale, nickname: string, link: string, validMinutes: number): MailContent {
  return compose(
    lang,
    lang === 'ko'
      ? {
          subject: '[stagelives] 비밀번호 재설정',
          greeting: `${nickname}님, 안녕하세요.`,
          lines: [`비밀번호 재설정을 요청하셨습니다. 아래 링크는 ${validMinutes}분 동안 한 번만 사용할 수 있습니다.`],
          button: '비밀번호 재설정하기',
          after: '요청하지 않았다면 이 메일은 무시하셔도 됩니다. 비밀번호는 바뀌지 않습니다.',
        }
      : {
          subject: '[stagelives] Reset your password',
          greeting: `Hi ${nickname},`,
          lines: [`Someone asked to reset your password. The link below works once, for ${validMinutes} minutes.`],
          button: 'Reset my password',
          after: 'If it was not you, ignore this message: your password stays as it is.',
        },
    link,
  );
}

export function passwordChangedMail(lang: Locale, nickname: string, when: Date): MailContent {
  const at = when.toISOString().replace('T', ' ').slice(0, 16);
  return compose(
    lang,
    lang === 'ko'
      ? {
          subject: '[stagelives] 비밀번호가 변경되었습니다',
          greeting: `${nickname}님, 안녕하세요.`,
          lines: [`${at} (UTC)에 비밀번호가 재설정되었고, 모든 기기에서 로그아웃되었습니다.`],
          after: '본인이 한 일이 아니라면 즉시 비밀번호를 다시 재설정하고 고객센터에 알려 주세요.',
        }
      : {
          subject: '[stagelives] Your password was changed',
          greeting: `Hi ${nickname},`,
          lines: [`Your password was reset at ${at} (UTC), and every device was signed out.`],
          after: 'If this was not you, reset your password again at once and contact support.',
        },
  );
}
