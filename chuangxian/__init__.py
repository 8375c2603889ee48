"""chuangxian: the long-term mechanisms of the 创先争优 campaign."""
