// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The string match of pomctl's test machine: a packet matches when the
 * pattern occurs between the rule's offsets, searched by the textsearch
 * algorithm the rule names.  Speaks the rule layout of
 * <linux/netfilter/xt_string.h> (revision 1), as iptables' libxt_string
 * does.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/textsearch.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_string.h>

MODULE_DESCRIPTION("Xtables: string match (patch-o-matic, pomctl vm-check)");
MODULE_LICENSE("GPL");
MODULE_ALIAS("ipt_string");
MODULE_ALIAS("ip6t_string");

#define KNOWN_FLAGS (XT_STRING_FLAG_INVERT | XT_STRING_FLAG_IGNORECASE)

static bool pom_string_match(const struct sk_buff *skb,
			     struct xt_action_param *par)
{
	const struct xt_string_info *rule = par->matchinfo;
	bool found = skb_find_text((struct sk_buff *)skb, rule->from_offset,
				   rule->to_offset, rule->config) != UINT_MAX;

	return found != !!(rule->u.v1.flags & XT_STRING_FLAG_INVERT);
}

static int pom_string_check(const struct xt_mtchk_param *par)
{
	struct xt_string_info *rule = par->matchinfo;
	int flags = TS_AUTOLOAD;
	struct ts_config *ts;

	if (rule->from_offset > rule->to_offset ||
	    rule->algo[XT_STRING_MAX_ALGO_NAME_SIZE - 1] != '\0' ||
	    rule->patlen > XT_STRING_MAX_PATTERN_SIZE ||
	    (rule->u.v1.flags & ~KNOWN_FLAGS))
		return -EINVAL;
	if (rule->u.v1.flags & XT_STRING_FLAG_IGNORECASE)
		flags |= TS_IGNORECASE;
	ts = textsearch_prepare(rule->algo, rule->pattern, rule->patlen,
				GFP_KERNEL, flags);
	if (IS_ERR(ts))
		return PTR_ERR(ts);
	rule->config = ts;
	return 0;
}

static void pom_string_destroy(const struct xt_mtdtor_param *par)
{
	const struct xt_string_info *rule = par->matchinfo;

	textsearch_destroy(rule->config);
}

static struct xt_match pom_string_reg __read_mostly = {
	.name		= "string",
	.revision	= 1,
	.family		= NFPROTO_UNSPEC,
	.checkentry	= pom_string_check,
	.match		= pom_string_match,
	.destroy	= pom_string_destroy,
	.matchsize	= sizeof(struct xt_string_info),
	.usersize	= offsetof(struct xt_string_info, config),
	.me		= THIS_MODULE,
};

static int __init pom_string_init(void)
{
	return xt_register_match(&pom_string_reg);
}

static void __exit pom_string_exit(void)
{
	xt_unregister_match(&pom_string_reg);
}

module_init(pom_string_init);
module_exit(pom_string_exit);
