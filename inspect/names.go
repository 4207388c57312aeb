package inspect

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"gongkai/internal/personname"
)

// surnames are single-character surnames: the common ones of the
// 百家姓 and of present-day registration statistics.
var surnames = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range `王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邱雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由` {
		m[r] = true
	}
	return m
}()

// maskRunes are what masked names are written with: 张某, 张某某, 张*, 张××.
const maskRunes = "某*＊×xX○〇◯□"

// orgSuffixes end names of organisations, which are parties too but not
// natural persons.
var orgSuffixes = strings.Fields(`公司 厂 店 社 中心 局 委员会 委 院 所 部 行 集团 协会 学会 商会 学校 大学 学院 医院 诊所 合作社 工作室 商行 门市 经营部 药房 超市 酒店 宾馆 餐厅 饭店
	事务所 基金会 研究会 联合会 站 队 处 办 室 馆 场 园 校 会 网 吧 铺 坊 庄 户`)

// IsUnmaskedName reports whether a party name (当事人) names a natural
// person in full: two to four Han characters starting with a known surname
// (or a compound surname), or a name with the middle dot of minority names
// (买买提·艾力), with no masking character. Text after a comma or a
// parenthesis is ignored ("张三（男，1980年生）"). Organisations
// (…公司, …店) and masked names (张某, 张**) are not.
func IsUnmaskedName(s string) bool {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "（(，,、;；:："); i >= 0 {
		s = s[:i]
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "\u3000", "")
	if s == "" || strings.ContainsAny(s, maskRunes) {
		return false
	}
	for _, suf := range orgSuffixes {
		if strings.HasSuffix(s, suf) && utf8.RuneCountInString(s) > utf8.RuneCountInString(suf)+1 {
			return false
		}
	}
	if strings.ContainsRune(s, '·') || strings.ContainsRune(s, '•') {
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == '·' || r == '•' })
		if len(parts) < 2 {
			return false
		}
		for _, p := range parts {
			if !allHan(p) {
				return false
			}
		}
		return true
	}
	n := utf8.RuneCountInString(s)
	if !allHan(s) || n < 2 || n > 4 {
		return false
	}
	for _, cs := range personname.CompoundSurnames {
		if strings.HasPrefix(s, cs) && n >= 3 {
			return true
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	return surnames[first]
}

func allHan(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// hideName keeps the first character of a name and stars the rest, so the
// report does not publish what it flags.
func hideName(s string) string {
	r, size := utf8.DecodeRuneInString(strings.TrimSpace(s))
	return string(r) + strings.Repeat("*", max(1, utf8.RuneCountInString(strings.TrimSpace(s)[size:])))
}

// checkParties runs PII-NAME on the party names a record marks.
func checkParties(r *Record, c *collector) {
	for _, p := range r.Parties {
		if IsUnmaskedName(p.Text) {
			c.at("PII-NAME", r.Path, p.Line, "party name %s names a natural person in full; write %s", hideName(p.Text), personname.Mask(p.Text))
		}
	}
}
